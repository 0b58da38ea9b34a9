using Google.Protobuf;
using Moat.Internal.V1;

namespace Moat.Segments.Manifests;

/// <summary>
/// Encodes and decodes manifests: envelope "MMAN" + u16 version, then the protobuf
/// <see cref="Manifest"/> (docs/segments.md). The caller seals the bytes.
/// </summary>
public static class ManifestCodec
{
    /// <summary>Format version written by this code.</summary>
    public const ushort CurrentVersion = 1;

    private static ReadOnlySpan<byte> Magic => "MMAN"u8;

    /// <summary>Encodes a manifest into a new array.</summary>
    public static byte[] Encode(Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var size = manifest.CalculateSize();
        var bytes = new byte[FormatEnvelope.Length + size];
        FormatEnvelope.Write(bytes, Magic, CurrentVersion);
        manifest.WriteTo(bytes.AsSpan(FormatEnvelope.Length));
        return bytes;
    }

    /// <summary>Decodes a manifest; rejects other objects and unsupported versions with <see cref="FormatVersionException"/>.</summary>
    public static Manifest Decode(ReadOnlySpan<byte> bytes)
    {
        _ = FormatEnvelope.ReadAndCheck(bytes, Magic, CurrentVersion, "manifest");
        try
        {
            return Manifest.Parser.ParseFrom(bytes[FormatEnvelope.Length..]);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new SegmentFormatException("Malformed manifest body.", e);
        }
    }

    /// <summary>
    /// The next manifest after <paramref name="previous"/> (or the first when null): version + 1,
    /// previous_version set, segments and watermark as given.
    /// </summary>
    public static Manifest Next(Manifest? previous, string namespaceId, ulong walWatermark, IEnumerable<ManifestSegment> segments, ulong schemaVersion, DateTimeOffset createdAt)
    {
        var m = new Manifest
        {
            Version = (previous?.Version ?? 0) + 1,
            PreviousVersion = previous?.Version ?? 0,
            NamespaceId = namespaceId,
            WalWatermark = walWatermark,
            SchemaVersion = schemaVersion,
            CreatedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(createdAt),
        };
        m.Segments.AddRange(segments);
        return m;
    }
}
