using Moat.V1;

namespace Moat.Audit;

/// <summary>
/// A digest to sign does not continue the writer's latest registered digest. Carries the registered
/// head so a writer that crashed between signing and storing a digest can store it and go on.
/// </summary>
public sealed class AuditDigestConflictException : AuditException
{
    public AuditDigestConflictException()
        : this("The digest does not continue the writer's latest registered digest.")
    {
    }

    public AuditDigestConflictException(string message)
        : base(message)
    {
    }

    public AuditDigestConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AuditDigestConflictException(string message, SignedAuditDigest? registeredHead)
        : base(message)
    {
        RegisteredHead = registeredHead;
    }

    /// <summary>The writer's latest registered digest, if any.</summary>
    public SignedAuditDigest? RegisteredHead { get; }
}
