namespace Moat.Testing;

/// <summary>
/// Seeded, reproducible pseudo-random numbers for test data (SplitMix64). Never for anything secret:
/// <see cref="System.Random"/> is banned in this repository so that nobody reaches for it there.
/// </summary>
public sealed class TestRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [min, maxExclusive).</summary>
    public int Next(int min, int maxExclusive) => min + (int)(NextUInt64() % (ulong)(maxExclusive - min));

    /// <summary>Uniform in [0, maxExclusive).</summary>
    public int Next(int maxExclusive) => Next(0, maxExclusive);
}
