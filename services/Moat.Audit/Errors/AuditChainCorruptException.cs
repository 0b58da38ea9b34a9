namespace Moat.Audit;

/// <summary>The stored chain a writer resumes from does not verify (its last batch or digest is damaged). The writer refuses to continue it.</summary>
public sealed class AuditChainCorruptException : AuditException
{
    public AuditChainCorruptException()
        : this("The stored audit chain does not verify.")
    {
    }

    public AuditChainCorruptException(string message)
        : base(message)
    {
    }

    public AuditChainCorruptException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
