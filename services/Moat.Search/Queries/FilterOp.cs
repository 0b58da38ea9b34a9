namespace Moat.Search;

/// <summary>Predicate operators (same numbers as moat.v1.FilterOperator).</summary>
public enum FilterOp
{
    /// <summary>Equal; with a null operand: missing. On a list attribute the operand is a whole list.</summary>
    Eq = 1,

    /// <summary>Not Eq: missing attributes are not equal to any non-null operand, so they match.</summary>
    NotEq = 2,

    /// <summary>Equal to one element of the operand list.</summary>
    In = 3,

    /// <summary>Not In (missing attributes match).</summary>
    NotIn = 4,

    /// <summary>Less than (missing never matches).</summary>
    Lt = 5,

    Lte = 6,

    Gt = 7,

    Gte = 8,

    /// <summary>List attribute: some element is less than the operand.</summary>
    AnyLt = 9,

    AnyLte = 10,

    AnyGt = 11,

    AnyGte = 12,

    /// <summary>List attribute: contains the operand.</summary>
    Contains = 13,

    /// <summary>Not Contains (missing attributes match).</summary>
    NotContains = 14,

    /// <summary>List attribute: contains an element of the operand list.</summary>
    ContainsAny = 15,

    /// <summary>Not ContainsAny (missing attributes match).</summary>
    NotContainsAny = 16,

    /// <summary>String matches the glob (*, ?, [abc], [a-z], [!abc]), case-sensitive.</summary>
    Glob = 17,

    NotGlob = 18,

    /// <summary>Glob, case-insensitive.</summary>
    IGlob = 19,

    NotIGlob = 20,

    /// <summary>String matches the regular expression (unanchored; linear-time engine with a timeout).</summary>
    Regex = 21,

    /// <summary>Full-text attribute: contains every token of the operand.</summary>
    ContainsAllTokens = 22,

    /// <summary>Full-text attribute: contains at least one token of the operand.</summary>
    ContainsAnyToken = 23,

    /// <summary>Full-text attribute: contains the operand's tokens adjacent and in order.</summary>
    ContainsTokenSequence = 24,
}
