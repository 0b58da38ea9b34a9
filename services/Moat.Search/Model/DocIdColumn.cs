using System.Buffers.Binary;

namespace Moat.Search;

/// <summary>Document ids of a segment's rows (or tombstones), ascending in <see cref="DocId"/> order.</summary>
public sealed class DocIdColumn
{
    public DocIdColumn(DocIdKind kind, ElementBlock values)
    {
        var expected = kind switch
        {
            DocIdKind.U64 => ValueKind.UInt64,
            DocIdKind.Uuid => ValueKind.Uuid,
            _ => ValueKind.String,
        };
        if (values.Kind != expected)
        {
            throw new ArgumentException($"{kind} ids are stored as {expected}, not {values.Kind}.", nameof(values));
        }

        Kind = kind;
        Values = values;
    }

    public static DocIdColumn Empty(DocIdKind kind) => kind switch
    {
        DocIdKind.U64 => new(kind, ElementBlock.Fixed(ValueKind.UInt64, 0, default)),
        DocIdKind.Uuid => new(kind, ElementBlock.Fixed(ValueKind.Uuid, 0, default)),
        _ => new(kind, ElementBlock.Strings(0, new byte[4], default)),
    };

    public DocIdKind Kind { get; }

    public int Count => Values.Count;

    public ElementBlock Values { get; }

    public DocId this[int row] => Kind switch
    {
        DocIdKind.U64 => DocId.FromU64(Values.UInt64s[row]),
        DocIdKind.Uuid => DocId.FromUuid(Values.Uuid(row)),
        _ => DocId.FromString(Values.GetString(row)),
    };

    /// <summary>Compares row <paramref name="row"/> with row <paramref name="otherRow"/> of another column of the same kind, without allocating.</summary>
    public int Compare(int row, DocIdColumn other, int otherRow) => Kind switch
    {
        DocIdKind.U64 => Values.UInt64s[row].CompareTo(other.Values.UInt64s[otherRow]),
        DocIdKind.Uuid => Values.Uuid(row).SequenceCompareTo(other.Values.Uuid(otherRow)),
        _ => Values.Utf8(row).SequenceCompareTo(other.Values.Utf8(otherRow)),
    };

    /// <summary>Compares row <paramref name="row"/> with an id.</summary>
    public int Compare(int row, in DocId id) => Kind switch
    {
        DocIdKind.U64 => Values.UInt64s[row].CompareTo(id.Lo),
        DocIdKind.Uuid => BinaryPrimitives.ReadUInt64BigEndian(Values.Uuid(row)) is var hi && hi != id.Hi
            ? hi.CompareTo(id.Hi) : BinaryPrimitives.ReadUInt64BigEndian(Values.Uuid(row)[8..]).CompareTo(id.Lo),
        _ => ElementBlock.CompareUtf8(Values.Utf8(row), id.Text!),
    };

    /// <summary>Row of <paramref name="id"/> by binary search, or -1.</summary>
    public int Find(in DocId id)
    {
        if (id.Kind != Kind)
        {
            return -1;
        }

        int lo = 0, hi = Count - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var c = Compare(mid, id);
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
}
