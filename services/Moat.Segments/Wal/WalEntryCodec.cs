using System.Buffers;
using Google.Protobuf;
using Moat.Internal.V1;

namespace Moat.Segments.Wal;

/// <summary>
/// Encodes and decodes WAL entries: envelope "MWAL" + u16 version, then the protobuf
/// <see cref="WalEntry"/> (docs/segments.md). The caller seals the bytes.
/// </summary>
public static class WalEntryCodec
{
    /// <summary>Format version written by this code.</summary>
    public const ushort CurrentVersion = 1;

    private static ReadOnlySpan<byte> Magic => "MWAL"u8;

    /// <summary>Encodes an entry into a new array.</summary>
    public static byte[] Encode(WalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var size = entry.CalculateSize();
        var bytes = new byte[FormatEnvelope.Length + size];
        FormatEnvelope.Write(bytes, Magic, CurrentVersion);
        entry.WriteTo(bytes.AsSpan(FormatEnvelope.Length));
        return bytes;
    }

    /// <summary>Encodes an entry into a buffer writer.</summary>
    public static void Encode(WalEntry entry, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(output);
        var size = entry.CalculateSize();
        var span = output.GetSpan(FormatEnvelope.Length + size)[..(FormatEnvelope.Length + size)];
        FormatEnvelope.Write(span, Magic, CurrentVersion);
        entry.WriteTo(span[FormatEnvelope.Length..]);
        output.Advance(span.Length);
    }

    /// <summary>Decodes an entry; rejects other objects and unsupported versions with <see cref="FormatVersionException"/>.</summary>
    public static WalEntry Decode(ReadOnlySpan<byte> bytes)
    {
        _ = FormatEnvelope.ReadAndCheck(bytes, Magic, CurrentVersion, "WAL entry");
        try
        {
            return WalEntry.Parser.ParseFrom(bytes[FormatEnvelope.Length..]);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new SegmentFormatException("Malformed WAL entry body.", e);
        }
    }

    /// <summary>The format version of an encoded entry, without decoding its body.</summary>
    public static ushort PeekVersion(ReadOnlySpan<byte> bytes) =>
        FormatEnvelope.ReadAndCheck(bytes, Magic, CurrentVersion, "WAL entry");
}
