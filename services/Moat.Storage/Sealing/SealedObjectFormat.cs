namespace Moat.Storage.Sealing;

/// <summary>
/// Constants of the sealed-object format (DESIGN section 6, docs/format.md). Every integer in the
/// format is big-endian.
/// </summary>
public static class SealedObjectFormat
{
    /// <summary>The format version writers produce.</summary>
    public const ushort CurrentVersion = 1;

    /// <summary>
    /// The oldest format version readers accept. Readers accept the current and the previous
    /// version; version 1 is the first, so today only version 1 is readable.
    /// </summary>
    public const ushort OldestReadableVersion = 1;

    /// <summary>Bytes of magic plus format version: what a reader needs to know the header's size.</summary>
    public const int PreambleSize = 6;

    /// <summary>Size of a version 1 header (magic through plaintext length).</summary>
    public const int V1HeaderSize = 69;

    /// <summary>The largest header of any readable version: what a range reader fetches first.</summary>
    public const int MaxHeaderSize = V1HeaderSize;

    public const int SaltSize = 32;
    public const int NoncePrefixSize = 7;
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int DataKeySize = 32;

    public const int DefaultChunkSize = 64 * 1024;
    public const int MinChunkSize = 4 * 1024;
    public const int MaxChunkSize = 16 * 1024 * 1024;

    /// <summary>Chunk indexes are u32 in the nonce, so an object has at most 2^32 chunks.</summary>
    public const long MaxChunkCount = 1L << 32;

    /// <summary>"MOAT" in ASCII.</summary>
    public static ReadOnlySpan<byte> Magic => "MOAT"u8;

    /// <summary>True when a reader of this build understands <paramref name="formatVersion"/>.</summary>
    public static bool IsReadable(ushort formatVersion) =>
        formatVersion >= OldestReadableVersion && formatVersion <= CurrentVersion;

    /// <summary>The header size of a readable format version.</summary>
    internal static int HeaderSize(ushort formatVersion) => formatVersion switch
    {
        1 => V1HeaderSize,
        _ => throw new ArgumentOutOfRangeException(nameof(formatVersion), formatVersion, "Not a readable sealed-object format version."),
    };

    /// <summary>Stored size of a whole sealed object: header, then every chunk's ciphertext and tag.</summary>
    public static long GetSealedLength(long plaintextLength, int chunkSize = DefaultChunkSize)
    {
        SealedObjectHeader.ValidateLayout(chunkSize, plaintextLength);
        return V1HeaderSize + plaintextLength + (TagSize * GetChunkCount(plaintextLength, chunkSize));
    }

    /// <summary>Number of chunks: at least one, so an empty object still ends in an authenticated final chunk.</summary>
    internal static long GetChunkCount(long plaintextLength, int chunkSize) =>
        plaintextLength == 0 ? 1 : ((plaintextLength - 1) / chunkSize) + 1;
}
