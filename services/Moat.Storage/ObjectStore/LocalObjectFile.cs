using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Moat.Storage.ObjectStore;

/// <summary>
/// How <see cref="LocalFileSystemStore"/> keeps one object in one file: a 24-byte header (8-byte
/// magic "MOATOBJ1", then the 16-byte ETag: the first 128 bits of the content's SHA-256) followed by
/// the content. The ETag lives in the file it describes, so it changes atomically with the content,
/// and head and ranged gets read only the header and the range.
/// </summary>
internal static class LocalObjectFile
{
    internal const int HeaderLength = 24;
    private const int ETagBytes = 16;
    private static readonly ulong Magic = BinaryPrimitives.ReadUInt64BigEndian("MOATOBJ1"u8);

    /// <summary>The header for <paramref name="content"/> and its ETag (lower-case hex).</summary>
    internal static (byte[] Header, string ETag) CreateHeader(ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(content, hash);
        var header = new byte[HeaderLength];
        BinaryPrimitives.WriteUInt64BigEndian(header, Magic);
        hash[..ETagBytes].CopyTo(header.AsSpan(8));
        return (header, Convert.ToHexStringLower(hash[..ETagBytes]));
    }

    /// <summary>Reads the header of an open object file: its ETag and content length.</summary>
    internal static (string ETag, long Length) ReadHeader(SafeFileHandle handle, string key)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        var fileLength = RandomAccess.GetLength(handle);
        var read = 0;
        while (read < HeaderLength)
        {
            var n = RandomAccess.Read(handle, header[read..], read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        if (read < HeaderLength || BinaryPrimitives.ReadUInt64BigEndian(header) != Magic)
        {
            throw new ObjectStoreException(key, $"Object '{key}': the local store file is not a Moat object file (bad or short header); it was not written by this store or is damaged.");
        }

        return (Convert.ToHexStringLower(header.Slice(8, ETagBytes)), fileLength - HeaderLength);
    }
}
