using Moat.V1;

namespace Moat.Audit;

/// <summary>Options of <see cref="AuditVerifier.VerifyAsync"/>.</summary>
public sealed record AuditVerifyOptions
{
    /// <summary>A checkpoint saved earlier (<c>moat audit verify --since</c>): the store must still hold it and every chain must reach it.</summary>
    public SignedAuditCheckpoint? Since { get; init; }

    /// <summary>Return every record, merged across writers by time (then writer, then sequence).</summary>
    public bool CollectRecords { get; init; }
}
