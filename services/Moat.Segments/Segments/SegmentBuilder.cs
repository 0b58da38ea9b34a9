using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using Moat.Internal.V1;
using Moat.Search.Text;
using Moat.Segments.Indexing;
using Moat.Segments.Text;
using Moat.V1;

namespace Moat.Segments.Segments;

/// <summary>
/// Builds an immutable columnar segment (docs/segments.md): prefix, protobuf header with the section
/// table, then the sections, each 8-aligned. Rows are the documents sorted by id.
/// </summary>
public static class SegmentBuilder
{
    /// <summary>Builds the segment into <paramref name="output"/>; returns its header.</summary>
    public static SegmentHeader Build(SegmentBuildRequest request, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Segments are written on little-endian machines only.");
        }

        var docs = Sorted(request.Contents.Documents, d => d.Key);
        var tombs = Sorted(request.Contents.Tombstones, t => t.Key);
        var schema = ResolveSchema(request.Schema, docs, tombs);
        var header = new SegmentHeader
        {
            SegmentId = request.SegmentId,
            NamespaceId = request.NamespaceId,
            MinSequence = request.Contents.MinSequence,
            MaxSequence = request.Contents.MaxSequence,
            RowCount = (ulong)docs.Count,
            TombstoneCount = (ulong)tombs.Count,
            Schema = schema,
            SchemaVersion = request.SchemaVersion,
            CreatedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(request.CreatedAt),
            IdKind = schema.IdKind,
        };

        var w = new BlockWriter();
        void Section(SegmentSectionKind kind, string name, Action write, string indexKind = "", uint indexVersion = 0)
        {
            var start = w.Position;
            write();
            var length = w.Position - start;
            w.Align8();
            header.Sections.Add(new SegmentSection { Kind = kind, Name = name, Offset = (ulong)start, Length = (ulong)length, IndexKind = indexKind, IndexVersion = indexVersion });
        }

        Section(SegmentSectionKind.Ids, string.Empty, () => IdColumn.Write(w, schema.IdKind, docs.ConvertAll(d => d.Key)));
        Section(SegmentSectionKind.RowSequences, string.Empty, () =>
        {
            w.U64((ulong)docs.Count);
            w.Block<ulong>(docs.ConvertAll(d => d.Sequence).ToArray());
        });
        Section(SegmentSectionKind.Tombstones, string.Empty, () =>
        {
            IdColumn.Write(w, schema.IdKind, tombs.ConvertAll(t => t.Key));
            w.Block<ulong>(tombs.ConvertAll(t => t.Sequence).ToArray());
        });

        foreach (var (name, column) in schema.Vectors.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var type = column.ElementType == VectorElementType.F16 ? VectorElementType.F16 : VectorElementType.F32;
            var start = w.Position;
            Section(SegmentSectionKind.Vectors, name, () => VectorColumnData.Write(w, type, (int)column.Dimensions, docs.ConvertAll(d => d.Document.Vectors.GetValueOrDefault(name))));
            var builder = request.VectorIndexBuilder;
            if (builder is null)
            {
                Section(SegmentSectionKind.VectorIndex, name, () => { }, VectorIndexBlob.NoneKind, 0);
            }
            else
            {
                var data = VectorColumnData.Parse(w.Written[start..].ToArray());
                var blob = new ArrayBufferWriter<byte>();
                builder.Build(name, column, data, blob);
                Section(SegmentSectionKind.VectorIndex, name, () => w.Bytes(blob.WrittenSpan), builder.Kind, builder.Version);
            }
        }

        foreach (var (name, attr) in schema.Attributes.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (attr.Type == AttributeType.Unspecified)
            {
                continue;
            }

            var values = docs.ConvertAll(d => d.Document.Attributes.TryGetValue(name, out var v) && !WalFold.IsNull(v) ? v : null);
            Section(SegmentSectionKind.Attribute, name, () => AttributeColumnData.Write(w, attr.Type, values));
            if (!attr.HasFilterable || attr.Filterable)
            {
                Section(SegmentSectionKind.FilterIndex, name, () => FilterIndexData.Write(w, attr.Type, values));
            }

            if (attr.FullText is not null && attr.Type is AttributeType.String or AttributeType.StringList)
            {
                var tokenizer = (request.Tokenizers ?? TokenizerFactory.Create)(attr.FullText);
                Section(SegmentSectionKind.FullText, name, () => InvertedIndexData.Write(w, tokenizer, values));
            }
        }

        var headerLength = header.CalculateSize();
        var head = (int)SegmentLayout.Align8(SegmentLayout.PrefixLength + headerLength);
        var span = output.GetSpan(head)[..head];
        span.Clear();
        FormatEnvelope.Write(span, SegmentLayout.Magic, SegmentLayout.CurrentVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)headerLength);
        header.WriteTo(span.Slice(SegmentLayout.PrefixLength, headerLength));
        output.Advance(head);
        output.Write(w.Written);
        return header;
    }

    /// <summary>Builds the segment into a new array.</summary>
    public static byte[] BuildToArray(SegmentBuildRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Build(request, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Builds the segment and writes it to a stream.</summary>
    public static async Task<SegmentHeader> BuildAsync(SegmentBuildRequest request, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var buffer = new ArrayBufferWriter<byte>();
        var header = Build(request, buffer);
        await destination.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        return header;
    }

    private static List<T> Sorted<T>(IReadOnlyList<T> items, Func<T, DocKey> key)
    {
        var list = items.ToList();
        for (var i = 1; i < list.Count; i++)
        {
            if (key(list[i - 1]).CompareTo(key(list[i])) >= 0)
            {
                list.Sort((a, b) => key(a).CompareTo(key(b)));
                break;
            }
        }

        for (var i = 1; i < list.Count; i++)
        {
            if (key(list[i - 1]).CompareTo(key(list[i])) == 0)
            {
                throw new SegmentFormatException($"Id {key(list[i])} appears twice in a segment.");
            }
        }

        return list;
    }

    private static NamespaceConfig ResolveSchema(NamespaceConfig config, List<FoldedDocument> docs, List<Tombstone> tombs)
    {
        var schema = config.Clone();
        schema.Encryption = null;
        if (schema.IdKind == IdKind.Unspecified)
        {
            schema.IdKind = docs.Count > 0 ? docs[0].Key.Kind : tombs.Count > 0 ? tombs[0].Key.Kind : IdKind.U64;
        }

        foreach (var d in docs)
        {
            if (d.Key.Kind != schema.IdKind)
            {
                throw new SegmentFormatException($"Id {d.Key} is of kind {d.Key.Kind}; the namespace uses {schema.IdKind}.");
            }

            foreach (var name in d.Document.Vectors.Keys)
            {
                if (!schema.Vectors.ContainsKey(name))
                {
                    throw new SegmentFormatException($"Document {d.Key} has a vector for column '{name}', which the namespace does not declare.");
                }
            }

            foreach (var (name, value) in d.Document.Attributes)
            {
                if (WalFold.IsNull(value))
                {
                    continue;
                }

                if (name == "id")
                {
                    throw new SegmentFormatException("The attribute name 'id' is reserved for the document id.");
                }

                var type = Elements.TypeOf(value);
                if (!schema.Attributes.TryGetValue(name, out var attr))
                {
                    schema.Attributes[name] = new AttributeSchema { Type = type };
                }
                else if (attr.Type == AttributeType.Unspecified)
                {
                    attr.Type = type;
                }
                else if (attr.Type != type)
                {
                    throw new SegmentFormatException($"Attribute '{name}' of document {d.Key} is {type}; the schema says {attr.Type}.");
                }
            }
        }

        foreach (var t in tombs)
        {
            if (t.Key.Kind != schema.IdKind)
            {
                throw new SegmentFormatException($"Tombstone id {t.Key} is of kind {t.Key.Kind}; the namespace uses {schema.IdKind}.");
            }
        }

        return schema;
    }
}
