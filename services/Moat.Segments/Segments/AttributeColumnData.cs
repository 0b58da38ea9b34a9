using System.Runtime.InteropServices;
using Moat.V1;

namespace Moat.Segments.Segments;

/// <summary>
/// One attribute column: header u8 attribute type, u8 is-list, u16 zero, u32 rows, u64 elements,
/// u64 UTF-8 bytes; a presence bitmap (bit set = not null); for lists (rows + 1) u32 offsets into
/// the elements; then the elements (<see cref="ValueBlock"/>). A scalar column has one element per
/// row (zero / empty for null rows).
/// </summary>
public sealed class AttributeColumnData
{
    private readonly ReadOnlyMemory<byte> presence;
    private readonly ReadOnlyMemory<byte> listOffsets;

    private AttributeColumnData(AttributeType type, int rows, ReadOnlyMemory<byte> presence, ReadOnlyMemory<byte> listOffsets, ValueBlock values)
    {
        Type = type;
        (Kind, IsList) = Elements.Shape(type);
        RowCount = rows;
        this.presence = presence;
        this.listOffsets = listOffsets;
        Values = values;
    }

    public AttributeType Type { get; }

    public ElementKind Kind { get; }

    public bool IsList { get; }

    public int RowCount { get; }

    /// <summary>The elements: one per row for scalars; list elements concatenated for lists.</summary>
    public ValueBlock Values { get; }

    public ReadOnlySpan<byte> PresenceBitmap => presence.Span;

    internal ReadOnlyMemory<byte> PresenceMemory => presence;

    internal ReadOnlyMemory<byte> ListOffsetsMemory => listOffsets;

    /// <summary>Lists: element offsets, rows + 1 of them.</summary>
    public ReadOnlySpan<uint> ListOffsets => MemoryMarshal.Cast<byte, uint>(listOffsets.Span);

    public bool IsPresent(int row) => Bitmap.Get(presence.Span, row);

    /// <summary>Elements of row <paramref name="row"/>: [start, start + count) in <see cref="Values"/>.</summary>
    public (int Start, int Count) ElementRange(int row)
    {
        if (!IsList)
        {
            return IsPresent(row) ? (row, 1) : (row, 0);
        }

        var o = ListOffsets;
        return ((int)o[row], (int)(o[row + 1] - o[row]));
    }

    /// <summary>The value of a row as the public message; null when missing.</summary>
    public AttributeValue? GetValue(int row)
    {
        if (!IsPresent(row))
        {
            return null;
        }

        var (start, count) = ElementRange(row);
        if (!IsList)
        {
            return Elements.ToValue(Kind, Values.Key(start));
        }

        var items = new ElementKey[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = Values.Key(start + i);
        }

        return Elements.ToList(Type, Kind, items);
    }

    public static AttributeColumnData Parse(ReadOnlyMemory<byte> section)
    {
        var c = new BlockCursor(section);
        var type = (AttributeType)c.U8();
        var isList = c.U8() != 0;
        c.U16();
        var rows = c.U32();
        var elements = c.U64();
        var stringBytes = c.U64();
        if (rows > int.MaxValue || Elements.Shape(type).IsList != isList)
        {
            throw new SegmentFormatException("Malformed attribute column header.");
        }

        var presence = c.Block((ulong)Bitmap.ByteLength((int)rows));
        var offsets = isList ? c.Block(((ulong)rows + 1) * 4) : default;
        var values = ValueBlock.Read(ref c, Elements.Shape(type).Kind, elements, stringBytes);
        return new AttributeColumnData(type, (int)rows, presence, offsets, values);
    }

    internal static void Write(BlockWriter w, AttributeType type, IReadOnlyList<AttributeValue?> rows)
    {
        var (kind, isList) = Elements.Shape(type);
        var present = new bool[rows.Count];
        var offsets = isList ? new uint[rows.Count + 1] : [];
        var elements = new List<ElementKey>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var v = rows[i];
            present[i] = v is not null;
            if (v is not null)
            {
                Elements.Collect(v, elements);
            }
            else if (!isList)
            {
                elements.Add(default);
            }

            if (isList)
            {
                offsets[i + 1] = (uint)elements.Count;
            }
        }

        w.U8((byte)type);
        w.U8(isList ? (byte)1 : (byte)0);
        w.U16(0);
        w.U32((uint)rows.Count);
        w.U64((ulong)elements.Count);
        w.U64(ValueBlock.StringBytes(kind, elements));
        w.Bitmap(present);
        if (isList)
        {
            w.Block<uint>(offsets);
        }

        ValueBlock.Write(w, kind, elements);
    }
}
