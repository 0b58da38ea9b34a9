namespace Moat.Audit;

/// <summary>
/// Another process wrote the chain position this writer was about to write (two processes with
/// the same writer id), or the stored chain does not continue where this writer stands. The chain
/// is not forked: the writer stops appending to that org's chain and every later append throws
/// this. Restart the process with a unique writer id.
/// </summary>
public sealed class AuditChainConflictException : AuditException
{
    public AuditChainConflictException()
        : this("The audit chain was written by someone else.")
    {
    }

    public AuditChainConflictException(string message)
        : base(message)
    {
    }

    public AuditChainConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
