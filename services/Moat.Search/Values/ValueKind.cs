namespace Moat.Search;

/// <summary>
/// Physical kind of an attribute element (same numbers as the segment format's element kinds).
/// </summary>
public enum ValueKind : byte
{
    /// <summary>false &lt; true.</summary>
    Bool = 1,

    Int64 = 2,

    UInt64 = 3,

    /// <summary>IEEE 754 binary64; −0.0 = 0.0; NaN matches no comparison.</summary>
    Double = 4,

    /// <summary>Signed microseconds since the Unix epoch.</summary>
    DateTime = 5,

    /// <summary>16 bytes, ordered as big-endian bytes (= canonical text order).</summary>
    Uuid = 6,

    /// <summary>UTF-8, ordered by bytes (= code point order).</summary>
    String = 7,
}
