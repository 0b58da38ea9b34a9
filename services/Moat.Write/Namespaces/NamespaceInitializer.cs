using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Moat.Hosting.Configuration;
using Moat.Hosting.Errors;
using Moat.Hosting.Principals;
using Moat.Internal.V1;
using Moat.Keys.Client;
using Moat.Storage.Namespaces;
using Moat.V1;
using Moat.Write.Audit;
using Moat.Write.Writes;

namespace Moat.Write.Namespaces;

/// <summary>
/// <c>NamespaceAdmin.InitNamespace</c> (DESIGN section 4): KeyVault creates the namespace KEK and
/// first keyring (with the caller's principal), then <c>meta</c> is written create-if-absent — the
/// authority for config and key. Both steps are idempotent, so a crash between them is repaired by
/// the next call, which returns what is stored.
/// </summary>
internal sealed partial class NamespaceInitializer
{
    private readonly KeyVault.KeyVaultClient _vault;
    private readonly KeyVaultKeySource _keys;
    private readonly NamespaceMetaStore _meta;
    private readonly WriteAudit _audit;
    private readonly MoatOptions _moat;
    private readonly TimeProvider _time;

    public NamespaceInitializer(KeyVault.KeyVaultClient vault, KeyVaultKeySource keys, NamespaceMetaStore meta, WriteAudit audit, IOptions<MoatOptions> moat, TimeProvider time)
    {
        _vault = vault;
        _keys = keys;
        _meta = meta;
        _audit = audit;
        _moat = moat.Value;
        _time = time;
    }

    /// <param name="configField">Where the config sits in the caller's request (field paths of violations).</param>
    public async Task<InitNamespaceResponse> InitAsync(PrincipalToken principal, byte[] signedPrincipal, InitNamespaceRequest request, string configField, CancellationToken cancellationToken)
    {
        Validate(request, configField);
        if (principal.Kind != PrincipalKind.ApiKey || principal.Org != request.Org || principal.NamespaceId != request.NamespaceId
            || principal.Role is not (Role.Admin or Role.Write))
        {
            throw new MoatException(StatusCode.PermissionDenied, ErrorReason.PrincipalNamespaceMismatch, "the principal may not create this namespace");
        }

        var config = NamespaceConfigRules.Canonical(request.Config);
        CreateNamespaceKekResponse kek;
        try
        {
            kek = await _vault.CreateNamespaceKekAsync(
                new CreateNamespaceKekRequest { Org = request.Org, NamespaceId = request.NamespaceId, NamespaceName = request.NamespaceName, KeyId = config.Encryption.KeyId },
                new Metadata { { PrincipalMetadata.Header, signedPrincipal } },
                cancellationToken: cancellationToken);
        }
        catch (RpcException e)
        {
            throw KeyVaultErrors.Translate(e);
        }

        var access = KeyAccess.ForCaller(request.Org, request.NamespaceId, signedPrincipal);
        using var dataKeys = _keys.DataKeys(access);
        try
        {
            var stored = await _meta.GetAsync(request.NamespaceId, dataKeys, cancellationToken, fresh: true);
            var created = false;
            if (stored is null)
            {
                await _audit.NamespaceCreatingAsync(principal, request.NamespaceName, request.NamespaceId, config.Encryption.KeyId, cancellationToken);
                using var key = await _keys.GetCurrentAsync(access, cancellationToken);
                var meta = new NamespaceMeta
                {
                    Org = request.Org,
                    Name = request.NamespaceName,
                    NamespaceId = request.NamespaceId,
                    Config = config,
                    KeyId = config.Encryption.KeyId,
                    CreatedAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
                    SchemaVersion = 1,
                    Region = _moat.Region,
                };
                (stored, created) = await _meta.CreateIfAbsentAsync(meta, key, dataKeys, cancellationToken);
            }

            if (stored.Meta.Org != request.Org || stored.Meta.Name != request.NamespaceName)
            {
                throw new MoatException(StatusCode.PermissionDenied, ErrorReason.PrincipalNamespaceMismatch, "the namespace id belongs to another namespace");
            }

            return new InitNamespaceResponse
            {
                Created = created,
                Config = stored.Meta.Config,
                KekVersion = kek.KekVersion,
                CreatedAt = stored.Meta.CreatedAt,
                SchemaVersion = stored.Meta.SchemaVersion,
            };
        }
        catch (Exception e) when (e is not MoatException and not OperationCanceledException)
        {
            throw WriteErrors.FromStore(e);
        }
    }

    private static void Validate(InitNamespaceRequest request, string configField)
    {
        var violations = new List<FieldViolation>();
        if (request.Org.Length == 0)
        {
            violations.Add(new FieldViolation("org", "required"));
        }

        if (!NamespaceId().IsMatch(request.NamespaceId))
        {
            violations.Add(new FieldViolation("namespace_id", "an opaque namespace id from the directory: 1 to 128 of [A-Za-z0-9_.-]"));
        }

        if (!NamespaceConfigRules.IsValidNamespaceName(request.NamespaceName))
        {
            violations.Add(new FieldViolation("namespace_name", "must match [A-Za-z0-9-_.]{1,128}"));
        }

        violations.AddRange(NamespaceConfigRules.Validate(request.Config, configField).Select(v => new FieldViolation(v.Field, v.Description)));
        if (violations.Count > 0)
        {
            throw new MoatValidationException(violations);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}$")]
    private static partial Regex NamespaceId();
}
