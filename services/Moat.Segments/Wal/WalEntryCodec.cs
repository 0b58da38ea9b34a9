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

    private static readonly uint WritesTag = WireFormat.MakeTag(WalEntry.WritesFieldNumber, WireFormat.WireType.LengthDelimited);

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

    /// <summary>
    /// The length of the entry <paramref name="header"/> (namespace, sequence, time; no writes) with
    /// <paramref name="encodedWrites"/> (each a <see cref="WalWrite"/> already in protobuf form) as its writes.
    /// </summary>
    public static int GetEncodedLength(WalEntry header, IReadOnlyList<ReadOnlyMemory<byte>> encodedWrites)
    {
        CheckHeader(header);
        ArgumentNullException.ThrowIfNull(encodedWrites);
        var length = (long)FormatEnvelope.Length + header.CalculateSize();
        for (var i = 0; i < encodedWrites.Count; i++)
        {
            var write = encodedWrites[i].Length;
            length += CodedOutputStream.ComputeRawVarint32Size(WritesTag) + CodedOutputStream.ComputeLengthSize(write) + write;
        }

        return checked((int)length);
    }

    /// <summary>
    /// Encodes the entry <paramref name="header"/> with <paramref name="encodedWrites"/> as its writes into
    /// exactly <see cref="GetEncodedLength"/> bytes of <paramref name="destination"/>: the same bytes as
    /// <see cref="Encode(WalEntry)"/> of the header with those writes added, without decoding or
    /// re-encoding the writes (the write path encodes each write once, when it is submitted).
    /// Returns the bytes written.
    /// </summary>
    public static int Encode(WalEntry header, IReadOnlyList<ReadOnlyMemory<byte>> encodedWrites, Span<byte> destination)
    {
        var length = GetEncodedLength(header, encodedWrites);
        if (destination.Length < length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; the entry needs {length}.", nameof(destination));
        }

        FormatEnvelope.Write(destination, Magic, CurrentVersion);
        var headerSize = header.CalculateSize();
        header.WriteTo(destination.Slice(FormatEnvelope.Length, headerSize));

        // Generated code writes fields in number order and `writes` (5) is the last: appending each
        // write as field 5 after the header's fields gives the bytes WriteTo of the whole entry gives.
        var position = FormatEnvelope.Length + headerSize;
        for (var i = 0; i < encodedWrites.Count; i++)
        {
            var write = encodedWrites[i].Span;
            position += WriteVarint(destination[position..], WritesTag);
            position += WriteVarint(destination[position..], (uint)write.Length);
            write.CopyTo(destination[position..]);
            position += write.Length;
        }

        return position;
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

    private static void CheckHeader(WalEntry header)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (header.Writes.Count != 0)
        {
            throw new ArgumentException("The header of an entry encoded from encoded writes must have no writes of its own.", nameof(header));
        }
    }

    private static int WriteVarint(Span<byte> destination, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }
}
