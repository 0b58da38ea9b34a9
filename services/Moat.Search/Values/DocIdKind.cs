namespace Moat.Search;

/// <summary>Kind of document ids; one per namespace (same numbers as the segment format).</summary>
public enum DocIdKind : byte
{
    U64 = 1,

    Uuid = 2,

    String = 3,
}
