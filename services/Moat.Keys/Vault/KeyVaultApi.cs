using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Moat.Hosting;
using Moat.Hosting.Errors;
using Moat.Hosting.Identity;
using Moat.Internal.V1;
using Moat.Keys.Audit;
using Moat.Audit;
using Moat.Keys.KeyStore;
using Moat.Keys.NamespaceKeys;
using Moat.V1;

namespace Moat.Keys.Vault;

/// <summary>
/// <c>moat.internal.v1.KeyVault</c>: namespace KEKs and data keys for the write and query services
/// of this region. Keys are released only per <see cref="KeyReleasePolicy"/>, only while the
/// namespace's key is usable, and every call is audited (allowed or not).
/// </summary>
internal sealed class KeyVaultApi : KeyVault.KeyVaultBase
{
    private readonly NamespaceKekManager _keks;
    private readonly KeyReleasePolicy _policy;
    private readonly IKeyAuditSink _audit;
    private readonly TimeSpan _cacheTtl;
    private readonly AuditCheckpointer _checkpointer;

    public KeyVaultApi(NamespaceKekManager keks, KeyReleasePolicy policy, IKeyAuditSink audit, IOptions<KeyStoreOptions> options, AuditCheckpointer checkpointer)
    {
        _checkpointer = checkpointer;
        _keks = keks;
        _policy = policy;
        _audit = audit;
        _cacheTtl = options.Value.KeyCacheTtl;
    }

    public override Task<CreateNamespaceKekResponse> CreateNamespaceKek(CreateNamespaceKekRequest request, ServerCallContext context) =>
        AuditedAsync(context, "CreateNamespaceKek", request.Org, request.NamespaceId, KeyPurpose.CallerRequest, async audit =>
        {
            var peer = PeerIdentity.Get(context)!;
            if (!peer.IsService(MoatServices.Write))
            {
                throw new MoatException(StatusCode.PermissionDenied, ErrorReason.CallerNotAllowed, "only the write service creates namespace keys");
            }

            // The namespace id is new: the principal proves the org and the namespace name instead.
            var principal = _policy.PrincipalOf(context, peer)
                ?? throw new MoatException(StatusCode.PermissionDenied, ErrorReason.PrincipalMissing, "creating a namespace key needs the caller's principal");
            if (principal.Kind != PrincipalKind.ApiKey || principal.Org != request.Org || principal.Namespace != request.NamespaceName || principal.Role is not (Role.Admin or Role.Write))
            {
                throw new MoatException(StatusCode.PermissionDenied, ErrorReason.PrincipalNamespaceMismatch, "the principal may not create this namespace's key");
            }

            var (record, created, keyringVersion) = await _keks.CreateAsync(request.Org, request.NamespaceId, request.NamespaceName, request.KeyId, request.ParentNamespaceId, context.CancellationToken);
            audit(new KeyRelease(peer.ToString(), principal.Kind, principal.ApiKeyId, KeyPurpose.CallerRequest), record.KeyId, record.Current.Version);
            return new CreateNamespaceKekResponse { KekVersion = (ulong)record.Current.Version, KeyringVersion = (ulong)keyringVersion, Created = created };
        });

    public override Task<GetCurrentDataKeyResponse> GetCurrentDataKey(GetCurrentDataKeyRequest request, ServerCallContext context) =>
        AuditedAsync(context, "GetCurrentDataKey", request.Org, request.NamespaceId, request.Purpose, async audit =>
        {
            var record = await _keks.GetAsync(request.Org, request.NamespaceId, context.CancellationToken);
            var release = _policy.Authorize(context, record, request.Purpose);
            await _keks.RequireUsableAsync(record, context.CancellationToken);
            using var keyring = await _keks.OpenKeyringAsync(record, context.CancellationToken)
                ?? throw new MoatException(StatusCode.FailedPrecondition, ErrorReason.NamespaceNotReady, "the namespace has no keyring yet");
            keyring.TryGetDataKey(keyring.CurrentDataKey.Id, out var key);
            audit(release, record.KeyId, record.Current.Version);
            return new GetCurrentDataKeyResponse
            {
                Key = new DataKey { Ref = new DataKeyRef { KeyringVersion = (ulong)keyring.Version, DekId = keyring.CurrentDataKey.Id }, Key = ByteString.CopyFrom(key.Span) },
                KekVersion = (ulong)record.Current.Version,
                CacheTtl = Duration.FromTimeSpan(_cacheTtl),
            };
        });

    public override Task<UnwrapDataKeysResponse> UnwrapDataKeys(UnwrapDataKeysRequest request, ServerCallContext context) =>
        AuditedAsync(context, "UnwrapDataKeys", request.Org, request.NamespaceId, request.Purpose, async audit =>
        {
            var record = await _keks.GetAsync(request.Org, request.NamespaceId, context.CancellationToken);
            var release = _policy.Authorize(context, record, request.Purpose);
            await _keks.RequireUsableAsync(record, context.CancellationToken);
            using var keyring = await _keks.OpenKeyringAsync(record, context.CancellationToken)
                ?? throw new MoatException(StatusCode.FailedPrecondition, ErrorReason.NamespaceNotReady, "the namespace has no keyring yet");
            var response = new UnwrapDataKeysResponse { CacheTtl = Duration.FromTimeSpan(_cacheTtl) };
            for (var i = 0; i < request.Refs.Count; i++)
            {
                var wanted = request.Refs[i];
                if (wanted.KeyringVersion > (ulong)keyring.Version || !keyring.TryGetDataKey(wanted.DekId, out var key))
                {
                    throw new MoatValidationException($"refs[{i}]", "no such data key in this namespace's keyring");
                }

                response.Keys.Add(new DataKey { Ref = wanted, Key = ByteString.CopyFrom(key.Span) });
            }

            audit(release, record.KeyId, record.Current.Version);
            return response;
        });

    public override Task<RotateNamespaceKekResponse> RotateNamespaceKek(RotateNamespaceKekRequest request, ServerCallContext context) =>
        AuditedAsync(context, "RotateNamespaceKek", request.Org, request.NamespaceId, request.Purpose, async audit =>
        {
            var record = await _keks.GetAsync(request.Org, request.NamespaceId, context.CancellationToken);
            var release = _policy.Authorize(context, record, request.Purpose, Role.Admin);
            if (request.RewrapOnly)
            {
                await _keks.RewrapUnderPrimaryAsync(request.Org, request.NamespaceId, context.CancellationToken);
                audit(release, record.KeyId, record.Current.Version);
                using var current = await _keks.OpenKeyringAsync(record, context.CancellationToken);
                return new RotateNamespaceKekResponse { KekVersion = (ulong)record.Current.Version, KeyringVersion = (ulong)(current?.Version ?? 0) };
            }

            var (kekVersion, keyringVersion) = await _keks.RotateAsync(request.Org, request.NamespaceId, context.CancellationToken);
            audit(release, record.KeyId, kekVersion);
            return new RotateNamespaceKekResponse { KekVersion = (ulong)kekVersion, KeyringVersion = (ulong)keyringVersion };
        });

    public override Task<CheckKeyStateResponse> CheckKeyState(CheckKeyStateRequest request, ServerCallContext context) =>
        AuditedAsync(context, "CheckKeyState", request.Org, string.Join(',', request.NamespaceIds), KeyPurpose.Unspecified, async audit =>
        {
            // Releases no key and needs no principal (DESIGN section 4).
            var response = new CheckKeyStateResponse { RecheckWithin = Duration.FromTimeSpan(_cacheTtl) };
            foreach (var nsid in request.NamespaceIds)
            {
                var state = new NamespaceKeyState { NamespaceId = nsid };
                try
                {
                    var record = await _keks.GetAsync(request.Org, nsid, context.CancellationToken);
                    var why = await _keks.UnusableAsync(record, context.CancellationToken);
                    state.Usable = why is null;
                    state.Reason = why?.Reason ?? ErrorReason.Unspecified;
                    state.KeyId = record.KeyId;
                    state.KekVersion = (ulong)record.Current.Version;
                }
                catch (MoatException e)
                {
                    state.Usable = false;
                    state.Reason = e.Reason;
                }

                response.States.Add(state);
            }

            audit(new KeyRelease(PeerIdentity.Get(context)!.ToString(), PrincipalKind.Unspecified, string.Empty, KeyPurpose.Unspecified), string.Empty, 0);
            return response;
        });

    public override Task<DestroyNamespaceKekResponse> DestroyNamespaceKek(DestroyNamespaceKekRequest request, ServerCallContext context) =>
        AuditedAsync(context, "DestroyNamespaceKek", request.Org, request.NamespaceId, KeyPurpose.CallerRequest, async audit =>
        {
            var record = await _keks.GetAsync(request.Org, request.NamespaceId, context.CancellationToken);
            var peer = PeerIdentity.Get(context)!;
            var principal = peer.IsService(MoatServices.Write) ? _policy.PrincipalOf(context, peer) : null;
            if (principal is null || principal.Kind != PrincipalKind.ApiKey || principal.Org != record.Org || principal.Role != Role.Admin || principal.Namespace != record.NamespaceName)
            {
                throw new MoatException(StatusCode.PermissionDenied, ErrorReason.PrincipalMissing, "destroying a namespace key needs the write service and an admin principal for that namespace");
            }

            var erased = await _keks.DestroyAsync(request.NamespaceId, context.CancellationToken);
            audit(new KeyRelease(peer.ToString(), principal.Kind, principal.ApiKeyId, KeyPurpose.CallerRequest), record.KeyId, record.Current.Version);
            return new DestroyNamespaceKekResponse { Destroyed = true, VersionsErased = (ulong)erased };
        });

    /// <summary>
    /// Signs a writer's audit digest with the region's audit key. Releases no key. A service signs
    /// only its own writers' digests (the writer id starts with its service name).
    /// </summary>
    public override Task<SignAuditDigestResponse> SignAuditDigest(SignAuditDigestRequest request, ServerCallContext context) =>
        AuditedAsync(context, "SignAuditDigest", request.Org, string.Empty, KeyPurpose.Audit, async audit =>
        {
            var peer = PeerIdentity.Get(context)!;
            var digest = request.Digest ?? throw new MoatValidationException("digest", "required");
            var violations = new List<FieldViolation>();
            if (request.Org.Length == 0 || digest.Org != request.Org)
            {
                violations.Add(new FieldViolation("digest.org", "must equal org"));
            }

            if (!Moat.Audit.AuditWriterId.TryParse(digest.Writer, out var writer) || writer!.Service != peer.Name)
            {
                violations.Add(new FieldViolation("digest.writer", $"a {peer.Name} service signs only its own writers ('{peer.Name}.<instance>')"));
            }

            if (digest.Region != peer.Region)
            {
                violations.Add(new FieldViolation("digest.region", "must be the caller's region"));
            }

            if (violations.Count > 0)
            {
                throw new MoatValidationException(violations);
            }

            // The checkpointer signs with the region's audit key and records the digest in the org's
            // writer registry, refusing one that does not continue the writer's registered chain.
            var signed = await _checkpointer.SignDigestAsync(request.Org, digest, context.CancellationToken);
            audit(new KeyRelease(peer.ToString(), PrincipalKind.Unspecified, string.Empty, KeyPurpose.Audit), signed.SigningKeyId, 0);
            return new SignAuditDigestResponse { SignedDigest = signed };
        });

    /// <summary>The org's audit keyring (a keyring like a namespace's, under its own KEK): data keys for sealing audit batches.</summary>
    public override Task<GetAuditKeyringResponse> GetAuditKeyring(GetAuditKeyringRequest request, ServerCallContext context) =>
        AuditedAsync(context, "GetAuditKeyring", request.Org, AuditNamespaceId(request.Org), KeyPurpose.Audit, async audit =>
        {
            if (request.Org.Length == 0)
            {
                throw new MoatValidationException("org", "required");
            }

            var nsid = AuditNamespaceId(request.Org);
            var (record, _, _) = await _keks.CreateAsync(request.Org, nsid, "audit", string.Empty, string.Empty, context.CancellationToken);
            using var keyring = await _keks.OpenKeyringAsync(record, context.CancellationToken)
                ?? throw new MoatException(StatusCode.Unavailable, ErrorReason.NamespaceNotReady, "the audit keyring is being created; retry");
            keyring.TryGetDataKey(keyring.CurrentDataKey.Id, out var current);
            var response = new GetAuditKeyringResponse
            {
                Current = new DataKey { Ref = new DataKeyRef { KeyringVersion = (ulong)keyring.Version, DekId = keyring.CurrentDataKey.Id }, Key = ByteString.CopyFrom(current.Span) },
                CacheTtl = Duration.FromTimeSpan(_cacheTtl),
            };
            foreach (var wanted in request.Refs)
            {
                if (keyring.TryGetDataKey(wanted.DekId, out var key))
                {
                    response.Keys.Add(new DataKey { Ref = wanted, Key = ByteString.CopyFrom(key.Span) });
                }
            }

            audit(new KeyRelease(PeerIdentity.Get(context)!.ToString(), PrincipalKind.Unspecified, string.Empty, KeyPurpose.Audit), string.Empty, record.Current.Version);
            return response;
        });

    /// <summary>The org's audit keyring lives under a reserved pseudo-namespace id no directory entry can take.</summary>
    public static string AuditNamespaceId(string org) => $"audit.{org}";

    /// <summary>Runs a KeyVault operation and records it, allowed or refused, in the audit sink.</summary>
    private async Task<T> AuditedAsync<T>(ServerCallContext context, string operation, string org, string namespaceId, KeyPurpose purpose, Func<Action<KeyRelease, string, long>, Task<T>> body)
    {
        var caller = PeerIdentity.Get(context)?.ToString() ?? "unknown";
        KeyAuditEvent? allowed = null;
        try
        {
            var result = await body((release, keyId, version) => allowed = new KeyAuditEvent(
                operation, release.Caller, release.PrincipalKind.ToString(), release.PrincipalId, org, namespaceId, keyId, version, release.Purpose, KeyAuditOutcome.Allowed, string.Empty));
            await _audit.RecordAsync(allowed ?? new KeyAuditEvent(operation, caller, string.Empty, string.Empty, org, namespaceId, string.Empty, 0, purpose, KeyAuditOutcome.Allowed, string.Empty), context.CancellationToken);
            return result;
        }
        catch (MoatException e)
        {
            await _audit.RecordAsync(new KeyAuditEvent(operation, caller, string.Empty, string.Empty, org, namespaceId, string.Empty, 0, purpose, KeyAuditOutcome.Refused, e.Reason.ToReason()), CancellationToken.None);
            throw;
        }
    }
}
