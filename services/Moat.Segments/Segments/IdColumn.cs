using Moat.V1;

namespace Moat.Segments.Segments;

/// <summary>
/// The ids section (and the id part of the tombstones section): header u8 id kind, 3 zero bytes,
/// u32 count, u64 UTF-8 byte count (strings only), then the ids sorted ascending: u64 each, 16
/// big-endian bytes each, or (count + 1) u32 offsets + UTF-8 bytes.
/// </summary>
public sealed class IdColumn
{
    private IdColumn(IdKind kind, ValueBlock values)
    {
        Kind = kind;
        Values = values;
    }

    public IdKind Kind { get; }

    public int Count => Values.Count;

    /// <summary>The stored ids: <see cref="ValueBlock.UInt64s"/>, <see cref="ValueBlock.Uuid"/> or <see cref="ValueBlock.Utf8"/> by kind.</summary>
    public ValueBlock Values { get; }

    /// <summary>Parses an ids section read on its own.</summary>
    public static IdColumn Parse(ReadOnlyMemory<byte> section)
    {
        var c = new BlockCursor(section);
        return Read(ref c);
    }

    public DocKey GetKey(int row) => Kind switch
    {
        IdKind.U64 => DocKey.FromU64(Values.UInt64s[row]),
        IdKind.Uuid => DocKey.FromUuid(Values.Uuid(row)),
        _ => DocKey.FromText(Values.GetString(row)),
    };

    public DocumentId GetId(int row) => GetKey(row).ToDocumentId();

    /// <summary>Row of <paramref name="key"/> by binary search, or -1.</summary>
    public int Find(DocKey key)
    {
        if (key.Kind != Kind)
        {
            return -1;
        }

        int lo = 0, hi = Count - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var c = GetKey(mid).CompareTo(key);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    internal static IdColumn Read(ref BlockCursor c)
    {
        var kind = (IdKind)c.U8();
        c.U8();
        c.U16();
        var count = c.U32();
        var stringBytes = c.U64();
        var element = kind switch
        {
            IdKind.U64 => ElementKind.UInt64,
            IdKind.Uuid => ElementKind.Uuid,
            IdKind.String => ElementKind.String,
            _ => throw new SegmentFormatException($"Unknown id kind {(int)kind} in a segment."),
        };
        return new IdColumn(kind, ValueBlock.Read(ref c, element, count, stringBytes));
    }

    internal static void Write(BlockWriter w, IdKind kind, IReadOnlyList<DocKey> keys)
    {
        var elements = new List<ElementKey>(keys.Count);
        foreach (var k in keys)
        {
            elements.Add(new ElementKey(k.Hi, k.Lo, k.Text));
        }

        var element = kind switch
        {
            IdKind.U64 => ElementKind.UInt64,
            IdKind.Uuid => ElementKind.Uuid,
            _ => ElementKind.String,
        };
        w.U8((byte)kind);
        w.U8(0);
        w.U16(0);
        w.U32((uint)keys.Count);
        w.U64(ValueBlock.StringBytes(element, elements));
        if (kind == IdKind.U64)
        {
            // u64 ids live in Lo.
            for (var i = 0; i < elements.Count; i++)
            {
                elements[i] = new ElementKey(keys[i].Lo, 0, null);
            }
        }

        ValueBlock.Write(w, element, elements);
    }
}
