using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Moat.Storage.Keyring;

/// <summary>
/// The binary layout of a keyring document, version 1 (big-endian):
/// "MKRG" (4) · format version u16 · keyring version u64 · KEK version u64 · namespace id length u16 ·
/// namespace id (UTF-8) · DEK count u32 · per DEK { id u32 · created unix ms i64 · wrapped length u16 ·
/// wrapped DEK } · authenticator length u16 · authenticator = Wrap(SHA-256(every byte before it)).
/// </summary>
internal static class KeyringCodec
{
    internal readonly record struct Entry(uint Id, long CreatedUnixMs, byte[] Wrapped);

    internal sealed record Document(ushort FormatVersion, long KeyringVersion, long KekVersion, string NamespaceId,
        IReadOnlyList<Entry> Entries, int AuthenticatedLength, byte[] Authenticator);

    /// <summary>Writes the body and appends the authenticator wrapped under <paramref name="kek"/>.</summary>
    public static byte[] Write(string namespaceId, long keyringVersion, IKeyWrapper kek, IReadOnlyList<Entry> entries)
    {
        var writer = new ArrayBufferWriter<byte>(256 + (entries.Count * 96));
        writer.Write(KeyringFormat.Magic);
        WriteUInt16(writer, KeyringFormat.CurrentVersion);
        WriteUInt64(writer, (ulong)keyringVersion);
        WriteUInt64(writer, (ulong)kek.KekVersion);
        var ns = Encoding.UTF8.GetBytes(namespaceId);
        WriteUInt16(writer, (ushort)ns.Length);
        writer.Write(ns);
        WriteUInt32(writer, (uint)entries.Count);
        foreach (var entry in entries)
        {
            WriteUInt32(writer, entry.Id);
            WriteUInt64(writer, (ulong)entry.CreatedUnixMs);
            WriteBlob(writer, entry.Wrapped);
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(writer.WrittenSpan, digest);
        var aad = KeyringFormat.AssociatedData(KeyringFormat.CurrentVersion, KeyringFormat.PurposeAuthenticator, namespaceId,
            keyringVersion, kek.KekVersion, 0);
        WriteBlob(writer, kek.Wrap(digest, aad));
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Parses the structure only; authentication is the caller's next step.</summary>
    public static Document Read(ReadOnlySpan<byte> document, string path)
    {
        var reader = new Reader(document, path);
        if (!reader.Take(4).SequenceEqual(KeyringFormat.Magic))
        {
            throw Malformed(path, "bad magic (not a Moat keyring)");
        }

        var formatVersion = reader.UInt16();
        if (!KeyringFormat.IsReadable(formatVersion))
        {
            throw Malformed(path, string.Create(CultureInfo.InvariantCulture, $"unsupported format version {formatVersion}"));
        }

        var keyringVersion = reader.UInt64();
        var kekVersion = reader.UInt64();
        if (keyringVersion is 0 or > long.MaxValue || kekVersion is 0 or > long.MaxValue)
        {
            throw Malformed(path, "keyring or KEK version out of range");
        }

        var nsLength = reader.UInt16();
        if (nsLength is 0 or > KeyringFormat.MaxNamespaceIdBytes)
        {
            throw Malformed(path, "namespace id length out of range");
        }

        string namespaceId;
        try
        {
            namespaceId = new UTF8Encoding(false, true).GetString(reader.Take(nsLength));
        }
        catch (DecoderFallbackException e)
        {
            throw Malformed(path, "namespace id is not UTF-8", e);
        }

        var count = reader.UInt32();
        if (count is 0 or > KeyringFormat.MaxDataKeys)
        {
            throw Malformed(path, string.Create(CultureInfo.InvariantCulture, $"DEK count {count} out of range"));
        }

        var entries = new Entry[count];
        for (var i = 0; i < entries.Length; i++)
        {
            var id = reader.UInt32();
            var created = (long)reader.UInt64();
            var wrapped = reader.Blob().ToArray();
            if (i > 0 && id <= entries[i - 1].Id)
            {
                throw Malformed(path, "DEK ids are not strictly increasing");
            }

            entries[i] = new Entry(id, created, wrapped);
        }

        var authenticatedLength = reader.Position;
        var authenticator = reader.Blob().ToArray();
        if (reader.Position != document.Length)
        {
            throw Malformed(path, "trailing data after the authenticator");
        }

        return new Document(formatVersion, (long)keyringVersion, (long)kekVersion, namespaceId, entries, authenticatedLength, authenticator);
    }

    private static void WriteUInt16(ArrayBufferWriter<byte> writer, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(writer.GetSpan(2), value);
        writer.Advance(2);
    }

    private static void WriteUInt32(ArrayBufferWriter<byte> writer, uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(writer.GetSpan(4), value);
        writer.Advance(4);
    }

    private static void WriteUInt64(ArrayBufferWriter<byte> writer, ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(writer.GetSpan(8), value);
        writer.Advance(8);
    }

    private static void WriteBlob(ArrayBufferWriter<byte> writer, byte[] blob)
    {
        if (blob.Length is 0 or > KeyringFormat.MaxWrappedSize)
        {
            throw new InvalidOperationException("The key wrapper produced a wrapped key of unsupported size.");
        }

        WriteUInt16(writer, (ushort)blob.Length);
        writer.Write(blob);
    }

    internal static KeyringIntegrityException Malformed(string path, string detail, Exception? inner = null) =>
        new(path, KeyringFailure.Malformed, "malformed: " + detail, inner);

    private ref struct Reader(ReadOnlySpan<byte> data, string path)
    {
        private readonly ReadOnlySpan<byte> _data = data;

        public int Position { get; private set; }

        public ReadOnlySpan<byte> Take(int count)
        {
            if (_data.Length - Position < count)
            {
                throw Malformed(path, "truncated");
            }

            var slice = _data.Slice(Position, count);
            Position += count;
            return slice;
        }

        public ushort UInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

        public uint UInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

        public ulong UInt64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8));

        public ReadOnlySpan<byte> Blob()
        {
            var length = UInt16();
            if (length is 0 or > KeyringFormat.MaxWrappedSize)
            {
                throw Malformed(path, "wrapped key length out of range");
            }

            return Take(length);
        }
    }
}
