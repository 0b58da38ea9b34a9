using Moat.Internal.V1;
using Moat.V1;
using ProtoKind = Moat.Internal.V1.AuditEventKind;
using ProtoPrincipalKind = Moat.Internal.V1.AuditPrincipalKind;

namespace Moat.Audit;

/// <summary>Maps <see cref="AuditEvent"/> to and from its protobuf form (<c>AuditRecordEvent</c>). Enum values are equal on both sides.</summary>
internal static class AuditEventCodec
{
    public static AuditRecordEvent ToProto(AuditEvent e)
    {
        var p = new AuditRecordEvent
        {
            Kind = (ProtoKind)(int)e.Kind,
            Outcome = (AuditOutcome)(int)e.Outcome,
            Reason = e.Reason,
            Principal = ToProto(e.Principal),
            Purpose = e.Purpose,
        };
        if (e.Namespace is { } ns)
        {
            p.NamespaceName = ns.Name.Value;
            p.NamespaceId = ns.Id.Value;
        }

        if (e.Key is { } key)
        {
            p.KeyId = key.KeyId.Value;
            p.KeyVersion = (ulong)key.Version;
        }

        p.Method = e.Method?.Value ?? string.Empty;
        p.EndpointId = e.EndpointId?.Value ?? string.Empty;
        p.Subject = e.Subject?.Value ?? string.Empty;
        if (e.ItemCount is { } items)
        {
            p.ItemCount = (ulong)items;
        }

        return p;
    }

    /// <summary>Rebuilds the event of a stored record; every identifier is validated again.</summary>
    /// <exception cref="ArgumentException">The stored record holds something an event cannot.</exception>
    public static AuditEvent FromProto(AuditRecordEvent p, string org)
    {
        var nsName = AuditIdentifier.ParseOptional(p.NamespaceName);
        var nsId = AuditIdentifier.ParseOptional(p.NamespaceId);
        var keyId = AuditIdentifier.ParseOptional(p.KeyId);
        return new AuditEvent
        {
            Kind = (AuditEventKind)(int)p.Kind,
            Outcome = (AuditEventOutcome)(int)p.Outcome,
            Org = new AuditIdentifier(org),
            Principal = FromProto(p.Principal ?? throw new ArgumentException("The record has no principal.")),
            Reason = p.Reason,
            Namespace = nsName is not null && nsId is not null ? new AuditNamespace(nsName, nsId) : null,
            Key = keyId is not null ? new AuditKeyRef(keyId, checked((long)p.KeyVersion)) : null,
            Purpose = p.Purpose,
            Method = AuditIdentifier.ParseOptional(p.Method),
            EndpointId = AuditIdentifier.ParseOptional(p.EndpointId),
            Subject = AuditIdentifier.ParseOptional(p.Subject),
            ItemCount = p.HasItemCount ? checked((long)p.ItemCount) : null,
        };
    }

    private static AuditRecordPrincipal ToProto(AuditPrincipal principal) => new()
    {
        Kind = (ProtoPrincipalKind)(int)principal.Kind,
        Org = principal.Org?.Value ?? string.Empty,
        ApiKeyId = principal.ApiKeyId?.Value ?? string.Empty,
        OperatorId = principal.OperatorId?.Value ?? string.Empty,
        GrantId = principal.GrantId?.Value ?? string.Empty,
        Service = principal.ServiceId?.Value ?? string.Empty,
        OperationId = principal.OperationId?.Value ?? string.Empty,
    };

    private static AuditPrincipal FromProto(AuditRecordPrincipal p)
    {
        var kind = (AuditPrincipalKind)(int)p.Kind;
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentException("The record's principal kind is unknown.");
        }

        return AuditPrincipal.Restore(kind, AuditIdentifier.ParseOptional(p.Org), AuditIdentifier.ParseOptional(p.ApiKeyId),
            AuditIdentifier.ParseOptional(p.OperatorId), AuditIdentifier.ParseOptional(p.GrantId),
            AuditIdentifier.ParseOptional(p.Service), AuditIdentifier.ParseOptional(p.OperationId));
    }
}
