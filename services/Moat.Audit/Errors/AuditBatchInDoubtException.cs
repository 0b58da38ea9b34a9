namespace Moat.Audit;

/// <summary>
/// Storing a batch failed in a way that leaves its outcome unknown (the store may have applied the
/// put). The records are not lost: the writer puts exactly the same bytes again before its next
/// batch (or at the next flush), so the chain never forks and never drops them. The caller must
/// treat its operation as not acknowledged.
/// </summary>
public sealed class AuditBatchInDoubtException : AuditException
{
    public AuditBatchInDoubtException()
        : this("Storing the audit batch failed; it is written again before the next one.")
    {
    }

    public AuditBatchInDoubtException(string message)
        : base(message)
    {
    }

    public AuditBatchInDoubtException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
