using Moat.Search.Text;
using Moat.Segments.Indexing;
using Moat.Segments.Text;
using Moat.V1;

namespace Moat.Segments.Segments;

/// <summary>What one segment is built from.</summary>
public sealed class SegmentBuildRequest
{
    /// <summary>Segment id (the last element of v1/ns/{nsid}/seg/{segment-id}).</summary>
    public required string SegmentId { get; init; }

    public required string NamespaceId { get; init; }

    /// <summary>Namespace config; attributes found in the documents but not declared are added with their value's type.</summary>
    public required NamespaceConfig Schema { get; init; }

    public ulong SchemaVersion { get; init; }

    /// <summary>Documents and tombstones (from <see cref="WalFold"/> or <see cref="SegmentMerge"/>).</summary>
    public required FoldResult Contents { get; init; }

    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UnixEpoch;

    /// <summary>Tokenizer per full-text attribute; default <see cref="TokenizerFactory.Create"/>.</summary>
    public Func<FullTextOptions, ITokenizer>? Tokenizers { get; init; }

    /// <summary>Vector index hook; null = every index slot has kind "none".</summary>
    public IVectorIndexBuilder? VectorIndexBuilder { get; init; }
}
