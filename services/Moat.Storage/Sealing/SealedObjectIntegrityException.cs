using System.Globalization;

namespace Moat.Storage.Sealing;

/// <summary>
/// A sealed object failed verification. The message names the object path and what failed; no
/// plaintext of the failing chunk is ever returned alongside it.
/// </summary>
public sealed class SealedObjectIntegrityException : Exception
{
    public SealedObjectIntegrityException()
        : this("(unknown)", SealedObjectFailure.InvalidHeader, "integrity check failed")
    {
    }

    public SealedObjectIntegrityException(string message)
        : base(message)
    {
        ObjectPath = string.Empty;
    }

    public SealedObjectIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
        ObjectPath = string.Empty;
    }

    public SealedObjectIntegrityException(string objectPath, SealedObjectFailure failure, string detail, long? chunkIndex = null, Exception? innerException = null)
        : base(string.Create(CultureInfo.InvariantCulture, $"Sealed object '{objectPath}' failed verification: {detail}."), innerException)
    {
        ObjectPath = objectPath;
        Failure = failure;
        ChunkIndex = chunkIndex;
    }

    /// <summary>The path of the object that failed.</summary>
    public string ObjectPath { get; }

    /// <summary>What failed.</summary>
    public SealedObjectFailure Failure { get; }

    /// <summary>The chunk at which the failure was found, when it concerns a chunk.</summary>
    public long? ChunkIndex { get; }

    internal static SealedObjectIntegrityException TagMismatch(string path, long chunk, Exception inner) =>
        new(path, SealedObjectFailure.TagMismatch,
            string.Create(CultureInfo.InvariantCulture, $"tag mismatch at chunk {chunk} (tampered data or header, reordered chunks, an object moved from another path, or the wrong key)"),
            chunk, inner);

    internal static SealedObjectIntegrityException Truncated(string path, long chunk) =>
        new(path, SealedObjectFailure.Truncated,
            string.Create(CultureInfo.InvariantCulture, $"truncated: the object ends inside or before chunk {chunk}"),
            chunk);

    internal static SealedObjectIntegrityException TruncatedHeader(string path, int have, int need) =>
        new(path, SealedObjectFailure.Truncated,
            string.Create(CultureInfo.InvariantCulture, $"truncated: {have} bytes where the header needs {need}"));

    internal static SealedObjectIntegrityException TrailingData(string path, long lastChunk) =>
        new(path, SealedObjectFailure.TrailingData,
            string.Create(CultureInfo.InvariantCulture, $"trailing data after the final chunk {lastChunk}"),
            lastChunk);

    internal static SealedObjectIntegrityException LengthMismatch(string path, long expected, long actual) =>
        actual < expected
            ? new(path, SealedObjectFailure.Truncated,
                string.Create(CultureInfo.InvariantCulture, $"truncated: {actual} bytes stored where the header implies {expected}"))
            : new(path, SealedObjectFailure.TrailingData,
                string.Create(CultureInfo.InvariantCulture, $"trailing data: {actual} bytes stored where the header implies {expected}"));
}
