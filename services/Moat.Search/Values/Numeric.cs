namespace Moat.Search;

/// <summary>
/// Exact comparison of numbers across kinds (int64, uint64, double; datetime with datetime or
/// int64 microseconds), so an int operand filters a uint or double attribute without rounding.
/// </summary>
internal static class Numeric
{
    private const double TwoPow63 = 9223372036854775808.0;
    private const double TwoPow64 = 18446744073709551616.0;

    /// <summary>
    /// Compares a stored element (kind + raw bits) with an operand; null when the kinds are not
    /// comparable or either side is NaN.
    /// </summary>
    public static int? Compare(ValueKind kind, ulong bits, ScalarValue operand)
    {
        switch (kind)
        {
            case ValueKind.Int64:
            case ValueKind.DateTime:
                {
                    var v = (long)bits;
                    return operand.Kind switch
                    {
                        ValueKind.Int64 or ValueKind.DateTime when operand.Kind == kind || operand.Kind == ValueKind.Int64 => v.CompareTo(operand.AsInt64),
                        ValueKind.UInt64 when kind == ValueKind.Int64 => v < 0 ? -1 : ((ulong)v).CompareTo(operand.AsUInt64),
                        ValueKind.Double when kind == ValueKind.Int64 => CompareLongDouble(v, operand.AsDouble),
                        _ => null,
                    };
                }

            case ValueKind.UInt64:
                return operand.Kind switch
                {
                    ValueKind.UInt64 => bits.CompareTo(operand.AsUInt64),
                    ValueKind.Int64 => operand.AsInt64 < 0 ? 1 : bits.CompareTo((ulong)operand.AsInt64),
                    ValueKind.Double => CompareULongDouble(bits, operand.AsDouble),
                    _ => null,
                };

            case ValueKind.Double:
                {
                    var v = BitConverter.Int64BitsToDouble((long)bits);
                    if (double.IsNaN(v))
                    {
                        return null;
                    }

                    return operand.Kind switch
                    {
                        ValueKind.Double => double.IsNaN(operand.AsDouble) ? null : v.CompareTo(operand.AsDouble),
                        ValueKind.Int64 => Negate(CompareLongDouble(operand.AsInt64, v)),
                        ValueKind.UInt64 => Negate(CompareULongDouble(operand.AsUInt64, v)),
                        _ => null,
                    };
                }

            default:
                return null;
        }
    }

    private static int? Negate(int? c) => c is null ? null : -c.Value;

    private static int? CompareLongDouble(long v, double d)
    {
        if (double.IsNaN(d))
        {
            return null;
        }

        if (d >= TwoPow63)
        {
            return -1;
        }

        if (d < -TwoPow63)
        {
            return 1;
        }

        var f = Math.Floor(d);
        var fl = (long)f;
        if (v != fl)
        {
            return v < fl ? -1 : 1;
        }

        return f == d ? 0 : -1;
    }

    private static int? CompareULongDouble(ulong v, double d)
    {
        if (double.IsNaN(d))
        {
            return null;
        }

        if (d < 0)
        {
            return 1;
        }

        if (d >= TwoPow64)
        {
            return -1;
        }

        var f = Math.Floor(d);
        var fl = (ulong)f;
        if (v != fl)
        {
            return v < fl ? -1 : 1;
        }

        return f == d ? 0 : -1;
    }
}
