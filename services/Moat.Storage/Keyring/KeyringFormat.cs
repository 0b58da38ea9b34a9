using System.Buffers.Binary;
using System.Text;

namespace Moat.Storage.Keyring;

/// <summary>Constants of the keyring document format and the associated data its wraps bind (docs/format.md).</summary>
public static class KeyringFormat
{
    /// <summary>The format version writers produce.</summary>
    public const ushort CurrentVersion = 1;

    /// <summary>Readers accept the current and the previous version; 1 is the first.</summary>
    public const ushort OldestReadableVersion = 1;

    public const int DataKeySize = 32;

    /// <summary>Largest wrapped blob (DEK or authenticator) a document may hold.</summary>
    public const int MaxWrappedSize = 1024;

    /// <summary>Most DEKs one keyring version may hold.</summary>
    public const int MaxDataKeys = 65536;

    /// <summary>Longest namespace id, in UTF-8 bytes.</summary>
    public const int MaxNamespaceIdBytes = 255;

    internal const byte PurposeDataKey = 1;
    internal const byte PurposeAuthenticator = 2;

    /// <summary>"MKRG" in ASCII.</summary>
    public static ReadOnlySpan<byte> Magic => "MKRG"u8;

    public static bool IsReadable(ushort formatVersion) =>
        formatVersion >= OldestReadableVersion && formatVersion <= CurrentVersion;

    /// <summary>
    /// Associated data of a wrap: "MKRG" ‖ u16 format version ‖ u8 purpose ‖ u16 namespace id length ‖
    /// namespace id ‖ u64 keyring version ‖ u64 KEK version ‖ u32 DEK id (0 for the authenticator).
    /// </summary>
    internal static byte[] AssociatedData(ushort formatVersion, byte purpose, string namespaceId, long keyringVersion, long kekVersion, uint dekId)
    {
        var nsLength = Encoding.UTF8.GetByteCount(namespaceId);
        var aad = new byte[4 + 2 + 1 + 2 + nsLength + 8 + 8 + 4];
        var span = aad.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], formatVersion);
        span[6] = purpose;
        BinaryPrimitives.WriteUInt16BigEndian(span[7..], (ushort)nsLength);
        Encoding.UTF8.GetBytes(namespaceId, span.Slice(9, nsLength));
        var rest = span[(9 + nsLength)..];
        BinaryPrimitives.WriteUInt64BigEndian(rest, (ulong)keyringVersion);
        BinaryPrimitives.WriteUInt64BigEndian(rest[8..], (ulong)kekVersion);
        BinaryPrimitives.WriteUInt32BigEndian(rest[16..], dekId);
        return aad;
    }

    internal static void ValidateNamespaceId(string namespaceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(namespaceId);
        if (Encoding.UTF8.GetByteCount(namespaceId) > MaxNamespaceIdBytes || namespaceId.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A namespace id is 1 to {MaxNamespaceIdBytes} UTF-8 bytes without '/'.", nameof(namespaceId));
        }
    }
}
