namespace Moat.Bench.Write;

/// <summary>The runs of one case (batch size x writers): each round adds one run per system.</summary>
internal sealed class CaseResult(int batch, int writers, int floorBytes)
{
    public int Batch { get; } = batch;

    public int Writers { get; } = writers;

    /// <summary>Bytes of one bare put: what a WAL entry holding only one write of this batch occupies.</summary>
    public int FloorBytes { get; } = floorBytes;

    public List<RunResult> Moat { get; } = [];

    /// <summary>Moat with every write built before the run: the WAL and store alone, without the per-document object model.</summary>
    public List<RunResult> MoatPrebuilt { get; } = [];

    public List<RunResult> Floor { get; } = [];

    public List<RunResult> LanceDb { get; } = [];

    /// <summary>The round with the highest throughput.</summary>
    public static RunResult? Best(List<RunResult> runs) => runs.Count == 0 ? null : runs.MaxBy(r => r.DocumentsPerSecond);
}
