using System.Buffers;
using Moat.V1;

namespace Moat.Segments.Segments;

/// <summary>
/// Hook that fills a vector column's index slot (the read-path issue provides one). The bytes are
/// opaque to this format; the section entry carries <see cref="Kind"/> and <see cref="Version"/> so a
/// reader picks the matching decoder, or falls back to exact search when it knows neither.
/// </summary>
public interface IVectorIndexBuilder
{
    /// <summary>Index kind tag, e.g. "hnsw"; "none" is reserved for the empty slot.</summary>
    string Kind { get; }

    /// <summary>Version of the kind's own byte format.</summary>
    uint Version { get; }

    /// <summary>Writes the index of one column (rows in segment order).</summary>
    void Build(string column, VectorColumn config, VectorColumnData vectors, IBufferWriter<byte> output);
}

/// <summary>The opaque vector index slot of one column.</summary>
public sealed record VectorIndexBlob(string Kind, uint Version, ReadOnlyMemory<byte> Bytes)
{
    /// <summary>Kind tag of an empty slot.</summary>
    public const string NoneKind = "none";
}
