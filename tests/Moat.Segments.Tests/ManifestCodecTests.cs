using Moat.Internal.V1;
using Moat.Segments.Manifests;
using Moat.Storage;

namespace Moat.Segments.Tests;

public class ManifestCodecTests
{
    private static ManifestSegment Seg(string id, ulong min, ulong max) => new()
    {
        SegmentId = id,
        ObjectPath = StoragePaths.Segment("ns1", id),
        RowCount = 10,
        TombstoneCount = 1,
        MinSequence = min,
        MaxSequence = max,
        ByteSize = 4096,
        FormatVersion = 1,
    };

    [Fact]
    public void Round_trips_and_chains_versions()
    {
        var first = ManifestCodec.Next(null, "ns1", 5, [Seg("a", 1, 5)], 1, DateTimeOffset.FromUnixTimeSeconds(100));
        Assert.Equal(1UL, first.Version);
        Assert.Equal(0UL, first.PreviousVersion);
        var second = ManifestCodec.Next(first, "ns1", 9, [Seg("a", 1, 5), Seg("b", 6, 9)], 2, DateTimeOffset.FromUnixTimeSeconds(200));
        Assert.Equal(2UL, second.Version);
        Assert.Equal(1UL, second.PreviousVersion);

        var back = ManifestCodec.Decode(ManifestCodec.Encode(second));
        Assert.Equal(second, back);
        Assert.Equal(9UL, back.WalWatermark);
        Assert.Equal("v1/ns/ns1/seg/b", back.Segments[1].ObjectPath);
    }

    [Fact]
    public void Rejects_future_versions_and_wal_entries()
    {
        var bytes = ManifestCodec.Encode(ManifestCodec.Next(null, "ns1", 0, [], 1, DateTimeOffset.UnixEpoch));
        var e = Assert.Throws<FormatVersionException>(() => ManifestCodec.Decode(TestData.WithVersion(bytes, 7)));
        Assert.Contains("manifest format version 7", e.Message, StringComparison.Ordinal);
        Assert.Throws<FormatVersionException>(() => ManifestCodec.Decode(Wal.WalEntryCodec.Encode(TestData.Entry(1))));
    }
}
