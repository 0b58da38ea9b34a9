using System.Globalization;

namespace Moat.Search;

/// <summary>
/// One non-null element value: a filter operand, a list element, a group key part. Fixed kinds are
/// held in two u64 words (a UUID as its big-endian halves), strings as .NET strings.
/// </summary>
public readonly struct ScalarValue : IEquatable<ScalarValue>
{
    private readonly ulong a;
    private readonly ulong b;
    private readonly string? s;

    private ScalarValue(ValueKind kind, ulong a, ulong b, string? s)
    {
        Kind = kind;
        this.a = a;
        this.b = b;
        this.s = s;
    }

    public ValueKind Kind { get; }

    public static ScalarValue Bool(bool value) => new(ValueKind.Bool, value ? 1UL : 0UL, 0, null);

    public static ScalarValue Int64(long value) => new(ValueKind.Int64, (ulong)value, 0, null);

    public static ScalarValue UInt64(ulong value) => new(ValueKind.UInt64, value, 0, null);

    public static ScalarValue Double(double value) => new(ValueKind.Double, (ulong)BitConverter.DoubleToInt64Bits(value), 0, null);

    /// <summary>A datetime as signed microseconds since the Unix epoch.</summary>
    public static ScalarValue DateTime(long unixMicros) => new(ValueKind.DateTime, (ulong)unixMicros, 0, null);

    public static ScalarValue DateTime(DateTimeOffset value) => DateTime((value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);

    public static ScalarValue Uuid(ulong hi, ulong lo) => new(ValueKind.Uuid, hi, lo, null);

    public static ScalarValue Uuid(Guid value)
    {
        var id = DocId.FromUuid(value);
        return Uuid(id.Hi, id.Lo);
    }

    public static ScalarValue String(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(ValueKind.String, 0, 0, value);
    }

    public bool AsBool => a != 0;

    public long AsInt64 => (long)a;

    public ulong AsUInt64 => a;

    public double AsDouble => BitConverter.Int64BitsToDouble((long)a);

    public long AsDateTimeMicros => (long)a;

    public ulong UuidHi => a;

    public ulong UuidLo => b;

    public Guid AsGuid => DocId.FromUuid(a, b).Uuid;

    public string AsString => s ?? string.Empty;

    /// <summary>Raw first word (bits of the fixed-width value).</summary>
    internal ulong Bits => a;

    public bool Equals(ScalarValue other) =>
        Kind == other.Kind && (Kind == ValueKind.String
            ? string.Equals(s, other.s, StringComparison.Ordinal)
            : Kind == ValueKind.Double ? AsDouble.Equals(other.AsDouble) : a == other.a && b == other.b);

    public override bool Equals(object? obj) => obj is ScalarValue v && Equals(v);

    public override int GetHashCode() => Kind switch
    {
        ValueKind.String => StringComparer.Ordinal.GetHashCode(s!),
        ValueKind.Double => AsDouble.GetHashCode(),
        _ => HashCode.Combine(Kind, a, b),
    };

    public static bool operator ==(ScalarValue left, ScalarValue right) => left.Equals(right);

    public static bool operator !=(ScalarValue left, ScalarValue right) => !left.Equals(right);

    /// <summary>Order of two values of comparable kinds (numbers across kinds numerically); NaN sorts last.</summary>
    public static int Compare(ScalarValue x, ScalarValue y)
    {
        if (x.Kind == y.Kind)
        {
            return x.Kind switch
            {
                ValueKind.Int64 or ValueKind.DateTime => x.AsInt64.CompareTo(y.AsInt64),
                ValueKind.Double => x.AsDouble.CompareTo(y.AsDouble),
                ValueKind.String => Utf8Compare.Compare(x.s, y.s),
                ValueKind.Uuid => x.a != y.a ? x.a.CompareTo(y.a) : x.b.CompareTo(y.b),
                _ => x.a.CompareTo(y.a),
            };
        }

        return Numeric.Compare(x.Kind, x.a, y) ?? ((int)x.Kind).CompareTo((int)y.Kind);
    }

    public override string ToString() => Kind switch
    {
        ValueKind.Bool => AsBool ? "true" : "false",
        ValueKind.Int64 => AsInt64.ToString(CultureInfo.InvariantCulture),
        ValueKind.UInt64 => a.ToString(CultureInfo.InvariantCulture),
        ValueKind.Double => AsDouble.ToString("R", CultureInfo.InvariantCulture),
        ValueKind.DateTime => AsInt64.ToString(CultureInfo.InvariantCulture) + "us",
        ValueKind.Uuid => AsGuid.ToString("D", CultureInfo.InvariantCulture),
        _ => AsString,
    };
}
