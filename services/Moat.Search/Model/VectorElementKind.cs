namespace Moat.Search;

/// <summary>Stored element type of a vector column.</summary>
public enum VectorElementKind
{
    F32 = 1,

    F16 = 2,
}
