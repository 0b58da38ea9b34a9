using System.Runtime.InteropServices;
using Moat.Search.Text;
using Moat.Search.Vectors;

namespace Moat.Search;

/// <summary>
/// Builds a <see cref="SearchSegment"/> in memory from documents, with the same layouts, filter
/// indexes and full-text analysis as a stored segment. For tests, and for callers that hold
/// documents rather than segment bytes. Attributes not declared are added with their value's type.
/// </summary>
public sealed class SearchSegmentBuilder
{
    private readonly DocIdKind idKind;
    private readonly string id;
    private readonly Dictionary<string, (FieldType Type, bool Filterable, TextFieldOptions? Text)> attributes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Dims, VectorMetric Metric, VectorElementKind Kind)> vectors = new(StringComparer.Ordinal);
    private readonly List<(DocId Id, IReadOnlyDictionary<string, FieldValue?> Attrs, IReadOnlyDictionary<string, float[]> Vecs)> docs = [];
    private readonly List<DocId> tombstones = [];

    public SearchSegmentBuilder(DocIdKind idKind, string id = "memory")
    {
        this.idKind = idKind;
        this.id = id;
    }

    /// <summary>Builds an ANN index for a vector column (null = none, exact search).</summary>
    public Func<VectorColumn, IVectorIndex?>? VectorIndexFactory { get; set; }

    public SearchSegmentBuilder Attribute(string name, FieldType type, bool filterable = true, TextFieldOptions? fullText = null)
    {
        if (fullText is not null && type.Kind != ValueKind.String)
        {
            throw new ArgumentException($"Full text needs a string attribute; '{name}' is {type}.", nameof(fullText));
        }

        attributes[name] = (type, filterable, fullText);
        return this;
    }

    public SearchSegmentBuilder Vector(string name, int dimensions, VectorMetric metric, VectorElementKind elementKind = VectorElementKind.F32)
    {
        vectors[name] = (dimensions, metric, elementKind);
        return this;
    }

    public SearchSegmentBuilder Add(DocId docId, IReadOnlyDictionary<string, FieldValue?>? attrs = null, IReadOnlyDictionary<string, float[]>? vecs = null)
    {
        if (docId.Kind != idKind)
        {
            throw new ArgumentException($"Id {docId} is {docId.Kind}; the segment holds {idKind} ids.", nameof(docId));
        }

        attrs ??= new Dictionary<string, FieldValue?>();
        vecs ??= new Dictionary<string, float[]>();
        foreach (var (name, v) in attrs)
        {
            if (v is null)
            {
                continue;
            }

            if (!attributes.TryGetValue(name, out var a))
            {
                attributes[name] = (v.Type, true, null);
            }
            else if (a.Type != v.Type)
            {
                throw new ArgumentException($"Attribute '{name}' of {docId} is {v.Type}; the segment has {a.Type}.", nameof(attrs));
            }
        }

        foreach (var (name, v) in vecs)
        {
            if (!vectors.TryGetValue(name, out var c))
            {
                throw new ArgumentException($"Vector column '{name}' is not declared.", nameof(vecs));
            }

            if (v.Length != c.Dims)
            {
                throw new ArgumentException($"A vector of {docId} has {v.Length} dimensions; '{name}' has {c.Dims}.", nameof(vecs));
            }
        }

        docs.Add((docId, attrs, vecs));
        return this;
    }

    /// <summary>A tombstone: <paramref name="docId"/> was deleted (hides it in older segments).</summary>
    public SearchSegmentBuilder Delete(DocId docId)
    {
        tombstones.Add(docId);
        return this;
    }

    public SearchSegment Build()
    {
        docs.Sort((x, y) => x.Id.CompareTo(y.Id));
        tombstones.Sort();
        for (var i = 1; i < docs.Count; i++)
        {
            if (docs[i - 1].Id == docs[i].Id)
            {
                throw new InvalidOperationException($"Id {docs[i].Id} appears twice in a segment.");
            }
        }

        var rows = docs.Count;
        var ids = IdColumn(docs.ConvertAll(d => d.Id));
        var tombs = IdColumn(tombstones.Distinct().ToList());
        var attrs = new Dictionary<string, SearchAttribute>(StringComparer.Ordinal);
        foreach (var (name, (type, filterable, text)) in attributes)
        {
            var values = docs.ConvertAll(d => d.Attrs.GetValueOrDefault(name));
            var column = BuildColumn(type, values);
            attrs[name] = new SearchAttribute(
                column,
                filterable ? BuildFilterIndex(type.Kind, values) : null,
                text is null ? null : BuildTextIndex(text, values));
        }

        var vecs = new Dictionary<string, VectorColumn>(StringComparer.Ordinal);
        foreach (var (name, (dims, metric, kind)) in vectors)
        {
            var present = new bool[rows];
            var width = kind == VectorElementKind.F16 ? 2 : 4;
            var data = new byte[rows * dims * width];
            for (var r = 0; r < rows; r++)
            {
                if (docs[r].Vecs.TryGetValue(name, out var v))
                {
                    present[r] = true;
                    if (kind == VectorElementKind.F32)
                    {
                        MemoryMarshal.AsBytes(v.AsSpan()).CopyTo(data.AsSpan(r * dims * 4));
                    }
                    else
                    {
                        var h = MemoryMarshal.Cast<byte, Half>(data.AsSpan(r * dims * 2, dims * 2));
                        for (var i = 0; i < dims; i++)
                        {
                            h[i] = (Half)v[i];
                        }
                    }
                }
            }

            var col = new VectorColumn(dims, metric, kind, rows, ElementBlockWriter.Bitmap(present), data);
            if (VectorIndexFactory?.Invoke(col) is { } index)
            {
                col = new VectorColumn(dims, metric, kind, rows, col.Presence, col.Data, index);
            }

            vecs[name] = col;
        }

        return new SearchSegment(id, ids, tombs, attrs, vecs);
    }

    private DocIdColumn IdColumn(List<DocId> list)
    {
        var values = idKind switch
        {
            DocIdKind.U64 => ElementBlockWriter.Write(ValueKind.UInt64, list.ConvertAll(d => ScalarValue.UInt64(d.U64))),
            DocIdKind.Uuid => ElementBlockWriter.Write(ValueKind.Uuid, list.ConvertAll(d => ScalarValue.Uuid(d.Hi, d.Lo))),
            _ => ElementBlockWriter.Write(ValueKind.String, list.ConvertAll(d => ScalarValue.String(d.Text!))),
        };
        return new DocIdColumn(idKind, values);
    }

    private static AttributeColumn BuildColumn(FieldType type, List<FieldValue?> values)
    {
        var present = values.ConvertAll(v => v is not null);
        var elements = new List<ScalarValue>();
        var offsets = new List<uint> { 0 };
        foreach (var v in values)
        {
            if (v is not null)
            {
                elements.AddRange(v.Elements);
            }
            else if (!type.IsList)
            {
                elements.Add(Zero(type.Kind));
            }

            offsets.Add((uint)elements.Count);
        }

        return new AttributeColumn(
            type,
            values.Count,
            ElementBlockWriter.Bitmap(present),
            type.IsList ? ElementBlockWriter.U32(offsets) : default,
            ElementBlockWriter.Write(type.Kind, elements));
    }

    private static ScalarValue Zero(ValueKind kind) => kind switch
    {
        ValueKind.String => ScalarValue.String(string.Empty),
        ValueKind.Bool => ScalarValue.Bool(false),
        ValueKind.Uuid => ScalarValue.Uuid(0, 0),
        ValueKind.Double => ScalarValue.Double(0),
        ValueKind.UInt64 => ScalarValue.UInt64(0),
        ValueKind.DateTime => ScalarValue.DateTime(0L),
        _ => ScalarValue.Int64(0),
    };

    private static FilterIndex BuildFilterIndex(ValueKind kind, List<FieldValue?> values)
    {
        var pairs = new List<(ScalarValue Value, uint Row)>();
        for (var r = 0; r < values.Count; r++)
        {
            if (values[r] is { } v)
            {
                foreach (var e in v.Elements)
                {
                    pairs.Add((e, (uint)r));
                }
            }
        }

        pairs.Sort((a, b) =>
        {
            var c = ScalarValue.Compare(a.Value, b.Value);
            return c != 0 ? c : a.Row.CompareTo(b.Row);
        });
        var distinct = new List<ScalarValue>();
        var offsets = new List<uint> { 0 };
        var postings = new List<uint>();
        for (var i = 0; i < pairs.Count; i++)
        {
            var newValue = i == 0 || ScalarValue.Compare(pairs[i - 1].Value, pairs[i].Value) != 0;
            if (newValue)
            {
                if (i > 0)
                {
                    offsets.Add((uint)postings.Count);
                }

                distinct.Add(pairs[i].Value);
            }
            else if (pairs[i - 1].Row == pairs[i].Row)
            {
                continue;
            }

            postings.Add(pairs[i].Row);
        }

        if (distinct.Count > 0)
        {
            offsets.Add((uint)postings.Count);
        }

        return new FilterIndex(ElementBlockWriter.Write(kind, distinct), ElementBlockWriter.U32(offsets), ElementBlockWriter.U32(postings));
    }

    private static TextIndex BuildTextIndex(TextFieldOptions options, List<FieldValue?> values) =>
        TextIndexWriter.Build(options, values.ConvertAll(v => v is null ? null : (IReadOnlyList<string>)v.Elements.Select(e => e.AsString).ToList()));
}
