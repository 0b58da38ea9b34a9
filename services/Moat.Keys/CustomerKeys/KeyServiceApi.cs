using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Hosting.Principals;
using Moat.Internal.V1;
using Moat.Keys.Audit;
using Moat.Keys.KeyStore;
using Moat.Keys.NamespaceKeys;
using Moat.V1;

namespace Moat.Keys.CustomerKeys;

/// <summary>
/// <c>moat.v1.KeyService</c>: an org admin's customer keys (Moat-hosted; external AWS/GCP keys come
/// with the cloud-backends capability). Runs for the verified principal's org only, admin role.
/// </summary>
internal sealed class KeyServiceApi : KeyService.KeyServiceBase
{
    private readonly CustomerKeyManager _keys;
    private readonly NamespaceKekManager _keks;
    private readonly IKeyAuditSink _audit;

    public KeyServiceApi(CustomerKeyManager keys, NamespaceKekManager keks, IKeyAuditSink audit)
    {
        _keys = keys;
        _keks = keks;
        _audit = audit;
    }

    public override async Task<Key> CreateKey(CreateKeyRequest request, ServerCallContext context)
    {
        var caller = Admin(context);
        var key = await _keys.CreateAsync(caller.Org, request.DisplayName, context.CancellationToken);
        await AuditAsync(context, caller, "CreateKey", key);
        return await ToProtoAsync(key, context.CancellationToken);
    }

    public override Task<Key> RegisterExternalKey(RegisterExternalKeyRequest request, ServerCallContext context)
    {
        Admin(context);
        throw new MoatException(StatusCode.Unimplemented, ErrorReason.CapabilityNotBuilt, "external keys (aws-kms, gcp-kms) come with the cloud-backends capability",
            new Dictionary<string, string> { ["capability"] = "cloud backends (AWS and GCP KMS)" });
    }

    public override async Task<Key> GetKey(GetKeyRequest request, ServerCallContext context) =>
        await ToProtoAsync(await _keys.GetAsync(Admin(context).Org, request.KeyId, context.CancellationToken), context.CancellationToken);

    public override async Task<ListKeysResponse> ListKeys(ListKeysRequest request, ServerCallContext context)
    {
        var caller = Admin(context);
        var response = new ListKeysResponse();
        foreach (var key in await _keys.ListAsync(caller.Org, request.IncludeDestroyed, context.CancellationToken))
        {
            response.Keys.Add(await ToProtoAsync(key, context.CancellationToken));
        }

        return response;
    }

    /// <summary>A new primary version; every namespace KEK under the key is re-wrapped under it before this returns.</summary>
    public override async Task<RotateKeyResponse> RotateKey(RotateKeyRequest request, ServerCallContext context)
    {
        var caller = Admin(context);
        var key = await _keys.AddVersionAsync(caller.Org, request.KeyId, context.CancellationToken);
        foreach (var dependent in await _keks.DependentsAsync(caller.Org, key.Id, context.CancellationToken))
        {
            await _keks.RewrapUnderPrimaryAsync(caller.Org, dependent.NamespaceId, context.CancellationToken);
        }

        await AuditAsync(context, caller, "RotateKey", key);
        return new RotateKeyResponse { Key = await ToProtoAsync(key, context.CancellationToken) };
    }

    public override async Task<Key> DisableKey(DisableKeyRequest request, ServerCallContext context)
    {
        var caller = Admin(context);
        var key = await _keys.DisableAsync(caller.Org, request.KeyId, context.CancellationToken);
        await AuditAsync(context, caller, "DisableKey", key);
        return await ToProtoAsync(key, context.CancellationToken);
    }

    public override async Task<Key> EnableKey(EnableKeyRequest request, ServerCallContext context)
    {
        var caller = Admin(context);
        var key = await _keys.EnableAsync(caller.Org, request.KeyId, context.CancellationToken);
        await AuditAsync(context, caller, "EnableKey", key);
        return await ToProtoAsync(key, context.CancellationToken);
    }

    public override async Task<ScheduleKeyDestructionResponse> ScheduleKeyDestruction(ScheduleKeyDestructionRequest request, ServerCallContext context)
    {
        var caller = Admin(context);
        var key = await _keys.ScheduleDestructionAsync(caller.Org, request.KeyId, (int)request.PendingDays, context.CancellationToken);
        await AuditAsync(context, caller, "ScheduleKeyDestruction", key);
        var response = new ScheduleKeyDestructionResponse { Key = await ToProtoAsync(key, context.CancellationToken) };
        foreach (var dependent in await _keks.DependentsAsync(caller.Org, key.Id, context.CancellationToken))
        {
            response.DependentNamespaces.Add(new DependentNamespace
            {
                Namespace = dependent.NamespaceName,
                Region = key.Region,
                Dependency = dependent.ParentNamespaceId.Length == 0 ? KeyDependency.Direct : KeyDependency.ViaParent,
            });
        }

        return response;
    }

    public override async Task<Key> CancelKeyDestruction(CancelKeyDestructionRequest request, ServerCallContext context)
    {
        var caller = Admin(context);
        var key = await _keys.CancelDestructionAsync(caller.Org, request.KeyId, context.CancellationToken);
        await AuditAsync(context, caller, "CancelKeyDestruction", key);
        return await ToProtoAsync(key, context.CancellationToken);
    }

    private async Task<Key> ToProtoAsync(CustomerKeyRecord key, CancellationToken cancellationToken)
    {
        var dependents = await _keks.DependentsAsync(key.Org, key.Id, cancellationToken);
        var proto = new Key
        {
            Id = key.Id,
            Provider = KeyProvider.MoatHosted,
            State = CustomerKeyManager.ToProto(key.State),
            DestroyAfter = key.DestroyAfter is { } d ? Timestamp.FromDateTimeOffset(d) : null,
            CreatedAt = Timestamp.FromDateTimeOffset(key.CreatedAt),
            StateChangedAt = Timestamp.FromDateTimeOffset(key.StateChangedAt),
            DisplayName = key.DisplayName,
            Region = key.Region,
            NamespaceCount = (ulong)dependents.Count(d => !d.Destroyed),
        };
        proto.Versions.AddRange(key.Versions.Select(v => new KeyVersion
        {
            Version = (ulong)v.Version,
            Primary = v.Version == key.Primary.Version,
            CreatedAt = Timestamp.FromDateTimeOffset(v.CreatedAt),
            WrappedKekCount = (ulong)dependents.Sum(d => d.Versions.Count(k => k.WrappedByKeyVersion == v.Version && k.Wrapped.Length > 0)),
        }));
        return proto;
    }

    private ValueTask AuditAsync(ServerCallContext context, PrincipalToken caller, string operation, CustomerKeyRecord key) =>
        _audit.RecordAsync(new KeyAuditEvent(operation, "gateway", caller.Kind.ToString(), caller.ApiKeyId, caller.Org, string.Empty, key.Id, key.Primary.Version, KeyPurpose.Unspecified, KeyAuditOutcome.Allowed, key.State.ToString()), context.CancellationToken);

    private static PrincipalToken Admin(ServerCallContext context)
    {
        var caller = CallerPrincipal.Get(context);
        return caller.Role == Role.Admin && caller.Kind == PrincipalKind.ApiKey
            ? caller
            : throw new MoatException(StatusCode.PermissionDenied, ErrorReason.RoleNotAllowed, "key management needs an admin key");
    }
}
