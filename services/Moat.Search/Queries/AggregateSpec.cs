namespace Moat.Search;

/// <summary>Aggregate functions.</summary>
public enum AggregateFunction
{
    /// <summary>Number of matching rows (a UInt64).</summary>
    Count = 1,

    /// <summary>Sum of a numeric attribute (Int64, UInt64 or Double as the attribute; missing adds nothing).</summary>
    Sum = 2,
}

/// <summary>One aggregate, labelled <paramref name="Name"/> in the result.</summary>
public sealed record AggregateSpec(string Name, AggregateFunction Function, string? Attribute = null)
{
    public static AggregateSpec Count(string name) => new(name, AggregateFunction.Count);

    public static AggregateSpec Sum(string name, string attribute) => new(name, AggregateFunction.Sum, attribute);
}
