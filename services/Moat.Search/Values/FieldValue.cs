namespace Moat.Search;

/// <summary>
/// A non-null attribute value: one scalar, or a list of elements of one kind (possibly empty).
/// Null / missing is a C# null wherever a FieldValue? appears.
/// </summary>
public sealed class FieldValue : IEquatable<FieldValue>
{
    private FieldValue(ValueKind kind, bool isList, ScalarValue scalar, ScalarValue[] elements)
    {
        Kind = kind;
        IsList = isList;
        Scalar = scalar;
        Elements = elements;
    }

    public ValueKind Kind { get; }

    public bool IsList { get; }

    public FieldType Type => new(Kind, IsList);

    /// <summary>The value of a scalar (default for a list).</summary>
    public ScalarValue Scalar { get; }

    /// <summary>The elements of a list; one element (the scalar) for a scalar.</summary>
    public IReadOnlyList<ScalarValue> Elements { get; }

    public static FieldValue Of(ScalarValue value) => new(value.Kind, false, value, [value]);

    public static FieldValue List(ValueKind kind, IEnumerable<ScalarValue> elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        var items = elements.ToArray();
        foreach (var e in items)
        {
            if (e.Kind != kind)
            {
                throw new ArgumentException($"A list of {kind} cannot hold a {e.Kind}.", nameof(elements));
            }
        }

        return new(kind, true, default, items);
    }

    public static FieldValue Bool(bool v) => Of(ScalarValue.Bool(v));

    public static FieldValue Int64(long v) => Of(ScalarValue.Int64(v));

    public static FieldValue UInt64(ulong v) => Of(ScalarValue.UInt64(v));

    public static FieldValue Double(double v) => Of(ScalarValue.Double(v));

    public static FieldValue String(string v) => Of(ScalarValue.String(v));

    public static FieldValue DateTime(long unixMicros) => Of(ScalarValue.DateTime(unixMicros));

    public static FieldValue Uuid(Guid v) => Of(ScalarValue.Uuid(v));

    public static FieldValue Strings(params string[] values) => List(ValueKind.String, values.Select(ScalarValue.String));

    public static FieldValue Int64s(params long[] values) => List(ValueKind.Int64, values.Select(ScalarValue.Int64));

    public bool Equals(FieldValue? other)
    {
        if (other is null || other.Kind != Kind || other.IsList != IsList || other.Elements.Count != Elements.Count)
        {
            return false;
        }

        for (var i = 0; i < Elements.Count; i++)
        {
            if (!Elements[i].Equals(other.Elements[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is FieldValue v && Equals(v);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Kind);
        h.Add(IsList);
        foreach (var e in Elements)
        {
            h.Add(e);
        }

        return h.ToHashCode();
    }

    public override string ToString() => IsList ? "[" + string.Join(", ", Elements) + "]" : Scalar.ToString();
}
