namespace Moat.Audit;

/// <summary>Base of the audit library's domain exceptions.</summary>
public class AuditException : Exception
{
    public AuditException()
    {
    }

    public AuditException(string message)
        : base(message)
    {
    }

    public AuditException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
