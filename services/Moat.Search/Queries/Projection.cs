namespace Moat.Search;

/// <summary>Which attributes and vectors result rows carry. Default: every attribute, no vectors.</summary>
public sealed record Projection
{
    public static readonly Projection Default = new();

    /// <summary>Ids and scores only.</summary>
    public static readonly Projection IdsOnly = new() { ExcludeAllAttributes = true };

    /// <summary>When non-empty, only these attributes.</summary>
    public IReadOnlyList<string> IncludeAttributes { get; init; } = [];

    /// <summary>Attributes left out (after <see cref="IncludeAttributes"/>).</summary>
    public IReadOnlyList<string> ExcludeAttributes { get; init; } = [];

    /// <summary>No attributes at all; overrides the lists.</summary>
    public bool ExcludeAllAttributes { get; init; }

    /// <summary>Vector columns to return.</summary>
    public IReadOnlyList<string> IncludeVectors { get; init; } = [];

    /// <summary>Every vector column.</summary>
    public bool IncludeAllVectors { get; init; }
}
