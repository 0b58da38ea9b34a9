using Moat.Internal.V1;

namespace Moat.Segments.Segments;

/// <summary>One section with its absolute byte range in the segment object: what a ranged GET fetches.</summary>
public readonly record struct SectionRange(SegmentSectionKind Kind, string Name, long Offset, long Length, string IndexKind, uint IndexVersion);
