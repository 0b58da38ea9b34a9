using Google.Protobuf.WellKnownTypes;
using Moat.Storage.Namespaces;
using Moat.V1;

namespace Moat.Segments.Segments;

/// <summary>Physical element type of a column, filter dictionary or list element.</summary>
public enum ElementKind : byte
{
    /// <summary>1 byte, 0 or 1.</summary>
    Bool = 1,

    /// <summary>8 bytes, signed little-endian.</summary>
    Int64 = 2,

    /// <summary>8 bytes, unsigned little-endian.</summary>
    UInt64 = 3,

    /// <summary>8 bytes, IEEE 754 binary64 little-endian.</summary>
    Double = 4,

    /// <summary>8 bytes, signed microseconds since the Unix epoch, little-endian.</summary>
    DateTime = 5,

    /// <summary>16 bytes, big-endian (RFC 4122 byte order).</summary>
    Uuid = 6,

    /// <summary>Variable: u32 offsets + UTF-8 bytes.</summary>
    String = 7,
}

/// <summary>One element value in a kind-independent form: fixed kinds in A (and B for UUIDs), strings in S.</summary>
internal readonly record struct ElementKey(ulong A, ulong B, string? S);

/// <summary>Mapping between the public attribute types and values and the physical element kinds.</summary>
internal static class Elements
{
    public static int Width(ElementKind kind) => kind switch
    {
        ElementKind.Bool => 1,
        ElementKind.Uuid => 16,
        ElementKind.String => 0,
        _ => 8,
    };

    public static (ElementKind Kind, bool IsList) Shape(AttributeType type) => type switch
    {
        AttributeType.String => (ElementKind.String, false),
        AttributeType.Int64 => (ElementKind.Int64, false),
        AttributeType.Uint64 => (ElementKind.UInt64, false),
        AttributeType.Double => (ElementKind.Double, false),
        AttributeType.Uuid => (ElementKind.Uuid, false),
        AttributeType.Datetime => (ElementKind.DateTime, false),
        AttributeType.Bool => (ElementKind.Bool, false),
        AttributeType.StringList => (ElementKind.String, true),
        AttributeType.Int64List => (ElementKind.Int64, true),
        AttributeType.Uint64List => (ElementKind.UInt64, true),
        AttributeType.DoubleList => (ElementKind.Double, true),
        AttributeType.UuidList => (ElementKind.Uuid, true),
        AttributeType.DatetimeList => (ElementKind.DateTime, true),
        AttributeType.BoolList => (ElementKind.Bool, true),
        _ => throw new SegmentFormatException($"Attribute type {type} has no column layout."),
    };

    public static AttributeType TypeOf(AttributeValue v) => NamespaceConfigRules.TypeOf(v);

    /// <summary>Appends the elements of a non-null value (one for scalars) to <paramref name="into"/>.</summary>
    public static void Collect(AttributeValue v, List<ElementKey> into)
    {
        switch (v.ValueCase)
        {
            case AttributeValue.ValueOneofCase.BoolValue: into.Add(Bool(v.BoolValue)); break;
            case AttributeValue.ValueOneofCase.IntValue: into.Add(new((ulong)v.IntValue, 0, null)); break;
            case AttributeValue.ValueOneofCase.UintValue: into.Add(new(v.UintValue, 0, null)); break;
            case AttributeValue.ValueOneofCase.DoubleValue: into.Add(Dbl(v.DoubleValue)); break;
            case AttributeValue.ValueOneofCase.StringValue: into.Add(new(0, 0, v.StringValue)); break;
            case AttributeValue.ValueOneofCase.UuidValue: into.Add(Uuid(v.UuidValue)); break;
            case AttributeValue.ValueOneofCase.DatetimeValue: into.Add(Time(v.DatetimeValue)); break;
            case AttributeValue.ValueOneofCase.StringList: foreach (var s in v.StringList.Values) { into.Add(new(0, 0, s)); } break;
            case AttributeValue.ValueOneofCase.IntList: foreach (var x in v.IntList.Values) { into.Add(new((ulong)x, 0, null)); } break;
            case AttributeValue.ValueOneofCase.UintList: foreach (var x in v.UintList.Values) { into.Add(new(x, 0, null)); } break;
            case AttributeValue.ValueOneofCase.DoubleList: foreach (var x in v.DoubleList.Values) { into.Add(Dbl(x)); } break;
            case AttributeValue.ValueOneofCase.BoolList: foreach (var x in v.BoolList.Values) { into.Add(Bool(x)); } break;
            case AttributeValue.ValueOneofCase.UuidList: foreach (var x in v.UuidList.Values) { into.Add(Uuid(x)); } break;
            case AttributeValue.ValueOneofCase.DatetimeList: foreach (var x in v.DatetimeList.Values) { into.Add(Time(x)); } break;
            default: throw new SegmentFormatException("A null value has no elements.");
        }
    }

    private static ElementKey Bool(bool b) => new(b ? 1UL : 0UL, 0, null);

    private static ElementKey Dbl(double d) => new((ulong)BitConverter.DoubleToInt64Bits(d), 0, null);

    private static ElementKey Uuid(string s)
    {
        var k = DocKey.FromUuid(DocKey.ParseUuid(s));
        return new(k.Hi, k.Lo, null);
    }

    private static ElementKey Time(Timestamp t) => new((ulong)((t.Seconds * 1_000_000L) + (t.Nanos / 1000)), 0, null);

    public static int Compare(ElementKind kind, ElementKey x, ElementKey y) => kind switch
    {
        ElementKind.Int64 or ElementKind.DateTime => ((long)x.A).CompareTo((long)y.A),
        ElementKind.Double => BitConverter.Int64BitsToDouble((long)x.A).CompareTo(BitConverter.Int64BitsToDouble((long)y.A)),
        ElementKind.String => Utf8Order.Instance.Compare(x.S, y.S),
        ElementKind.Uuid => x.A != y.A ? x.A.CompareTo(y.A) : x.B.CompareTo(y.B),
        _ => x.A.CompareTo(y.A),
    };

    /// <summary>One element back as a scalar AttributeValue.</summary>
    public static AttributeValue ToValue(ElementKind kind, ElementKey k) => kind switch
    {
        ElementKind.Bool => new AttributeValue { BoolValue = k.A != 0 },
        ElementKind.Int64 => new AttributeValue { IntValue = (long)k.A },
        ElementKind.UInt64 => new AttributeValue { UintValue = k.A },
        ElementKind.Double => new AttributeValue { DoubleValue = BitConverter.Int64BitsToDouble((long)k.A) },
        ElementKind.DateTime => new AttributeValue { DatetimeValue = ToTimestamp((long)k.A) },
        ElementKind.Uuid => new AttributeValue { UuidValue = new DocKey(IdKind.Uuid, k.A, k.B, null).ToDocumentId().Uuid },
        _ => new AttributeValue { StringValue = k.S ?? string.Empty },
    };

    public static Timestamp ToTimestamp(long micros)
    {
        var seconds = Math.DivRem(micros, 1_000_000L, out var rem);
        if (rem < 0)
        {
            seconds--;
            rem += 1_000_000L;
        }

        return new Timestamp { Seconds = seconds, Nanos = (int)(rem * 1000) };
    }

    /// <summary>A list value of the given type built from elements.</summary>
    public static AttributeValue ToList(AttributeType type, ElementKind kind, IEnumerable<ElementKey> elements)
    {
        var v = new AttributeValue();
        switch (type)
        {
            case AttributeType.StringList: v.StringList = new StringList(); v.StringList.Values.AddRange(elements.Select(e => e.S ?? string.Empty)); break;
            case AttributeType.Int64List: v.IntList = new Int64List(); v.IntList.Values.AddRange(elements.Select(e => (long)e.A)); break;
            case AttributeType.Uint64List: v.UintList = new UInt64List(); v.UintList.Values.AddRange(elements.Select(e => e.A)); break;
            case AttributeType.DoubleList: v.DoubleList = new DoubleList(); v.DoubleList.Values.AddRange(elements.Select(e => BitConverter.Int64BitsToDouble((long)e.A))); break;
            case AttributeType.BoolList: v.BoolList = new BoolList(); v.BoolList.Values.AddRange(elements.Select(e => e.A != 0)); break;
            case AttributeType.UuidList: v.UuidList = new UuidList(); v.UuidList.Values.AddRange(elements.Select(e => ToValue(kind, e).UuidValue)); break;
            case AttributeType.DatetimeList: v.DatetimeList = new DateTimeList(); v.DatetimeList.Values.AddRange(elements.Select(e => ToTimestamp((long)e.A))); break;
            default: throw new SegmentFormatException($"Attribute type {type} is not a list.");
        }

        return v;
    }
}
