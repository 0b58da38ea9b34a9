using System.Buffers.Binary;
using Google.Protobuf;
using Moat.Internal.V1;

namespace Moat.Storage.Namespaces;

/// <summary>
/// The plaintext of <c>v1/ns/{nsid}/meta</c>: envelope "MNSM" + u16 little-endian format version
/// (like the Moat.Segments formats), then the protobuf <see cref="NamespaceMeta"/>. Readers accept
/// the current and the previous version (DESIGN section 2); the caller seals the bytes.
/// </summary>
public static class NamespaceMetaCodec
{
    /// <summary>Format version written by this code.</summary>
    public const ushort CurrentVersion = 1;

    /// <summary>Bytes of the envelope: magic (4) + version (2).</summary>
    public const int EnvelopeLength = 6;

    private static ReadOnlySpan<byte> Magic => "MNSM"u8;

    public static byte[] Encode(NamespaceMeta meta)
    {
        ArgumentNullException.ThrowIfNull(meta);
        var bytes = new byte[EnvelopeLength + meta.CalculateSize()];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), CurrentVersion);
        meta.WriteTo(bytes.AsSpan(EnvelopeLength));
        return bytes;
    }

    /// <summary>Decodes meta; other objects, unsupported versions and malformed bodies throw <see cref="NamespaceMetaFormatException"/>.</summary>
    public static NamespaceMeta Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < EnvelopeLength || !bytes[..4].SequenceEqual(Magic))
        {
            throw new NamespaceMetaFormatException("Not a namespace meta: the object does not start with the MNSM magic.");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(bytes[4..]);
        var oldest = CurrentVersion > 1 ? CurrentVersion - 1 : 1;
        if (version > CurrentVersion || version < oldest)
        {
            throw new NamespaceMetaFormatException($"Unsupported namespace meta format version {version}: this reader accepts versions {oldest} to {CurrentVersion}.");
        }

        try
        {
            return NamespaceMeta.Parser.ParseFrom(bytes[EnvelopeLength..]);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new NamespaceMetaFormatException("Malformed namespace meta body.", e);
        }
    }
}
