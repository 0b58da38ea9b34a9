using System.Security.Cryptography;

namespace Moat.Audit;

/// <summary>SHA-256 over the exact stored bytes: records, digest bodies, checkpoint bodies.</summary>
public static class AuditHashes
{
    public const int Size = 32;

    /// <summary>The previous hash of a chain's first record: 32 zero bytes.</summary>
    public static ReadOnlyMemory<byte> Genesis { get; } = new byte[Size];

    public static byte[] Of(ReadOnlySpan<byte> bytes) => SHA256.HashData(bytes);

    public static bool AreEqual(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => a.SequenceEqual(b);

    public static string ToHex(ReadOnlySpan<byte> hash) => Convert.ToHexStringLower(hash);
}
