using System.Buffers.Binary;

namespace Moat.Segments.Segments;

/// <summary>The fixed prefix of a segment object: envelope "MSEG" + u16 version, u16 flags, u32 header length, u32 reserved.</summary>
public static class SegmentLayout
{
    /// <summary>Format version written by this code.</summary>
    public const ushort CurrentVersion = 1;

    /// <summary>Bytes of the fixed prefix; read these first to learn the header length.</summary>
    public const int PrefixLength = 16;

    internal static ReadOnlySpan<byte> Magic => "MSEG"u8;

    /// <summary>Bytes from the start of the object to the start of the data area (prefix + header + padding).</summary>
    public static long HeadLength(ReadOnlySpan<byte> prefix)
    {
        _ = FormatEnvelope.ReadAndCheck(prefix, Magic, CurrentVersion, "segment");
        if (prefix.Length < PrefixLength)
        {
            throw new SegmentFormatException("Segment prefix truncated.");
        }

        return Align8(PrefixLength + (long)BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]));
    }

    internal static long Align8(long v) => (v + 7) & ~7L;
}
