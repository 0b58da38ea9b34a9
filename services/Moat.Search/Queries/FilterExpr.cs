namespace Moat.Search;

/// <summary>A filter tree node.</summary>
public abstract record FilterExpr;

/// <summary>Every child matches (an empty list matches everything).</summary>
public sealed record AndFilter(IReadOnlyList<FilterExpr> Filters) : FilterExpr;

/// <summary>At least one child matches (an empty list matches nothing).</summary>
public sealed record OrFilter(IReadOnlyList<FilterExpr> Filters) : FilterExpr;

/// <summary>The child does not match.</summary>
public sealed record NotFilter(FilterExpr Filter) : FilterExpr;

/// <summary>
/// A comparison of one attribute ("id" = the document id) with an operand; a null operand is the
/// null value (Eq null = missing, NotEq null = present). Lists for In, NotIn, ContainsAny,
/// NotContainsAny; a string or a string list for the token operators.
/// </summary>
public sealed record Predicate(string Attribute, FilterOp Op, FieldValue? Operand) : FilterExpr;
