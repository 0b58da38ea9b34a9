using System.Buffers.Binary;

namespace Moat.Segments;

/// <summary>
/// The fixed prefix of every Moat.Segments object: 4 ASCII magic bytes and a u16 little-endian format
/// version. Readers accept the current and the previous version (DESIGN section 2).
/// </summary>
public static class FormatEnvelope
{
    /// <summary>Bytes of the envelope: magic (4) + version (2).</summary>
    public const int Length = 6;

    /// <summary>Writes magic and version into <paramref name="destination"/>.</summary>
    public static void Write(Span<byte> destination, ReadOnlySpan<byte> magic, ushort version)
    {
        magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], version);
    }

    /// <summary>
    /// Checks the magic and returns the version; throws <see cref="FormatVersionException"/> when the
    /// object is not of this kind or the version is outside [current - 1, current].
    /// </summary>
    public static ushort ReadAndCheck(ReadOnlySpan<byte> source, ReadOnlySpan<byte> magic, ushort currentVersion, string what)
    {
        if (source.Length < Length || !source[..4].SequenceEqual(magic))
        {
            throw new FormatVersionException($"Not a {what}: the object does not start with the {what} magic.");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(source[4..]);
        var oldest = currentVersion > 1 ? currentVersion - 1 : 1;
        if (version > currentVersion)
        {
            throw new FormatVersionException(
                $"Unsupported {what} format version {version}: this reader accepts versions {oldest} to {currentVersion}; upgrade the reader.")
            { FoundVersion = version };
        }

        if (version < oldest)
        {
            throw new FormatVersionException(
                $"Unsupported {what} format version {version}: this reader accepts versions {oldest} to {currentVersion}; the object must be rewritten by compaction first.")
            { FoundVersion = version };
        }

        return version;
    }
}
