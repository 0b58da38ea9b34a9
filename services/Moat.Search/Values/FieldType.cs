namespace Moat.Search;

/// <summary>Type of an attribute: an element kind, scalar or list.</summary>
public readonly record struct FieldType(ValueKind Kind, bool IsList)
{
    public bool IsNumeric => Kind is ValueKind.Int64 or ValueKind.UInt64 or ValueKind.Double;

    public override string ToString() => IsList ? $"list<{Kind}>" : Kind.ToString();
}
