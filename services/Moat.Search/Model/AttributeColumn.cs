using System.Runtime.InteropServices;

namespace Moat.Search;

/// <summary>
/// Values of one attribute for every row: a presence bitmap (bit set = not null, LSB first), for
/// lists (rows + 1) u32 element offsets, and the elements (one per row for scalars, zero / empty
/// for null rows). The segment format's ATTRIBUTE section, viewed without copying.
/// </summary>
public sealed class AttributeColumn
{
    public AttributeColumn(FieldType type, int rowCount, ReadOnlyMemory<byte> presence, ReadOnlyMemory<byte> listOffsets, ElementBlock values)
    {
        if (values.Kind != type.Kind)
        {
            throw new ArgumentException($"A {type} column cannot hold {values.Kind} elements.", nameof(values));
        }

        if (presence.Length < RowBitmap.ByteLength(rowCount) || (type.IsList && listOffsets.Length < (rowCount + 1) * 4) || (!type.IsList && values.Count < rowCount))
        {
            throw new ArgumentException("Attribute column parts are shorter than its rows.", nameof(presence));
        }

        Type = type;
        RowCount = rowCount;
        Presence = presence;
        ListOffsetBytes = listOffsets;
        Values = values;
    }

    public FieldType Type { get; }

    public int RowCount { get; }

    public ReadOnlyMemory<byte> Presence { get; }

    public ReadOnlyMemory<byte> ListOffsetBytes { get; }

    public ReadOnlySpan<uint> ListOffsets => MemoryMarshal.Cast<byte, uint>(ListOffsetBytes.Span);

    public ElementBlock Values { get; }

    public bool IsPresent(int row) => (Presence.Span[row >> 3] & (1 << (row & 7))) != 0;

    /// <summary>Elements of a row: [Start, Start + Count) of <see cref="Values"/> (Count 0 when null).</summary>
    public (int Start, int Count) ElementRange(int row)
    {
        if (!Type.IsList)
        {
            return IsPresent(row) ? (row, 1) : (row, 0);
        }

        var o = ListOffsets;
        return ((int)o[row], (int)(o[row + 1] - o[row]));
    }

    /// <summary>The value of a row; null when missing.</summary>
    public FieldValue? GetValue(int row)
    {
        if (!IsPresent(row))
        {
            return null;
        }

        if (!Type.IsList)
        {
            return FieldValue.Of(Values.Get(row));
        }

        var (start, count) = ElementRange(row);
        var items = new ScalarValue[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = Values.Get(start + i);
        }

        return FieldValue.List(Type.Kind, items);
    }
}
