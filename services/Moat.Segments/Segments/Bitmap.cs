namespace Moat.Segments.Segments;

/// <summary>Bit i of a row bitmap is bit (i &amp; 7) of byte (i &gt;&gt; 3): LSB first.</summary>
public static class Bitmap
{
    public static bool Get(ReadOnlySpan<byte> bitmap, int index) => (bitmap[index >> 3] & (1 << (index & 7))) != 0;

    public static int ByteLength(int bits) => (bits + 7) / 8;
}
