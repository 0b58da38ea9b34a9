namespace Moat.Audit;

/// <summary>The key an event concerns: its id (a customer key id, or the namespace KEK's name) and version (0 = not known).</summary>
public sealed record AuditKeyRef
{
    public AuditKeyRef(AuditIdentifier keyId, long version = 0)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        KeyId = keyId;
        Version = version;
    }

    public AuditIdentifier KeyId { get; }

    public long Version { get; }
}
