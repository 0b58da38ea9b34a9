namespace Moat.Audit;

/// <summary>The namespace an event concerns: its name (metadata, allowed in the log) and its opaque id.</summary>
public sealed record AuditNamespace(AuditIdentifier Name, AuditIdentifier Id)
{
    public AuditIdentifier Name { get; } = Name ?? throw new ArgumentNullException(nameof(Name));

    public AuditIdentifier Id { get; } = Id ?? throw new ArgumentNullException(nameof(Id));
}
