namespace Moat.Search;

/// <summary>Count and sums of one group (sums checked for overflow).</summary>
internal sealed class Accumulator(int sums)
{
    public ulong Count { get; set; }

    public long[] Int64Sums { get; } = new long[sums];

    public ulong[] UInt64Sums { get; } = new ulong[sums];

    public double[] DoubleSums { get; } = new double[sums];

    public void AddFrom(Accumulator other)
    {
        Count += other.Count;
        for (var i = 0; i < Int64Sums.Length; i++)
        {
            Int64Sums[i] = checked(Int64Sums[i] + other.Int64Sums[i]);
            UInt64Sums[i] = checked(UInt64Sums[i] + other.UInt64Sums[i]);
            DoubleSums[i] += other.DoubleSums[i];
        }
    }
}
