using CsCheck;
using Moat.Storage.Sealing;
using static Moat.Storage.Tests.Sealing.SealingFixtures;

namespace Moat.Storage.Tests.Sealing;

public class SealedObjectPropertyTests
{
    private readonly SingleDataKey _keys = new();

    [Fact]
    public async Task Any_range_of_any_object_reads_back_exactly_and_fetches_only_its_chunks()
    {
        var gen = Gen.Select(Gen.Int[0, 200_000], Gen.Int[SealedObjectFormat.MinChunkSize, 40_000], Gen.Double[0, 1], Gen.Double[0, 1], Gen.ULong);
        await gen.SampleAsync(async sample =>
        {
            var (size, chunkSize, start, span, seed) = sample;
            var plaintext = Bytes(size, seed);
            var stored = Seal(_keys, plaintext, chunkSize);
            var offset = (int)(start * size);
            var count = (int)(span * (size - offset));

            var source = new CountingRangeSource(stored);
            using var reader = await SealedObjectReader.OpenAsync(source, ObjectPath, _keys);
            var destination = new byte[count];
            Assert.Equal(count, await reader.ReadAsync(offset, destination));
            Assert.Equal(plaintext.AsSpan(offset, count).ToArray(), destination);

            // Fetched: the header, plus exactly the stored bytes of the chunks [offset, offset + count) touches.
            long expected = SealedObjectFormat.MaxHeaderSize;
            if (count > 0)
            {
                for (var i = offset / chunkSize; i <= (offset + count - 1) / chunkSize; i++)
                {
                    expected += reader.Header.GetStoredChunkLength(i);
                }
            }

            Assert.Equal(expected, source.BytesFetched);
            Assert.Equal(plaintext, await SealedObjectReader.UnsealAsync(stored, ObjectPath, _keys));
        }, iter: 150, threads: 1);
    }
}
