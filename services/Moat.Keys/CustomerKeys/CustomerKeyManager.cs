using System.Security.Cryptography;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Moat.Hosting.Configuration;
using Moat.Hosting.Errors;
using Moat.Keys.KeyStore;
using Moat.Keys.RootOfTrust;
using Moat.Storage.Records;
using Moat.V1;

namespace Moat.Keys.CustomerKeys;

/// <summary>
/// Moat-hosted customer keys and their state machine (DESIGN section 6): Enabled ⇄ Disabled →
/// PendingDestruction (7–30 days, cancellable) → Destroyed (irreversible: the key versions are
/// destroyed in the root of trust and every namespace KEK wrapped under them is erased). Every
/// change is a compare-and-swap on the key store, so concurrent changes never lose a version.
/// </summary>
public sealed class CustomerKeyManager
{
    public const int MinPendingDays = 7;
    public const int MaxPendingDays = 30;
    public const int DefaultPendingDays = 30;

    private readonly JsonRecordStore _keyStore;
    private readonly IRootKeyProvider _root;
    private readonly TimeProvider _time;
    private readonly string _region;

    public CustomerKeyManager(KeyStores stores, IRootKeyProvider root, TimeProvider time, IOptions<MoatOptions> moat)
    {
        _keyStore = stores.Keys;
        _root = root;
        _time = time;
        _region = moat.Value.Region;
    }

    public async Task<CustomerKeyRecord> CreateAsync(string org, string displayName, CancellationToken cancellationToken)
    {
        if (displayName.Length > 128)
        {
            throw new MoatValidationException("display_name", "at most 128 characters");
        }

        var id = "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var rootKeyId = await _root.CreateRootKeyAsync(VersionLabel(id, 1), cancellationToken);
        var now = _time.GetUtcNow();
        var record = new CustomerKeyRecord(id, org, displayName, _region, StoredKeyState.Enabled, StoredKeyState.Enabled, [new CustomerKeyVersion(1, rootKeyId, now)], now, now, null);
        if (!await _keyStore.TryCreateAsync(KeyStoreKeys.CustomerKey(org, id), record, cancellationToken))
        {
            throw new MoatException(StatusCode.Aborted, ErrorReason.Internal, "key id collision; retry");
        }

        return record;
    }

    public async Task<CustomerKeyRecord> GetAsync(string org, string keyId, CancellationToken cancellationToken) =>
        (await _keyStore.GetAsync<CustomerKeyRecord>(KeyStoreKeys.CustomerKey(org, keyId), cancellationToken))?.Value
        ?? throw new MoatException(StatusCode.NotFound, ErrorReason.KeyNotFound, $"no key '{keyId}' in this org");

    public async Task<IReadOnlyList<CustomerKeyRecord>> ListAsync(string org, bool includeDestroyed, CancellationToken cancellationToken)
    {
        var keys = new List<CustomerKeyRecord>();
        await foreach (var key in _keyStore.ListAsync<CustomerKeyRecord>(KeyStoreKeys.CustomerKeysPrefix(org), cancellationToken))
        {
            if (includeDestroyed || key.State != StoredKeyState.Destroyed)
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    /// <summary>A new primary version in the root of trust; the caller re-wraps the dependent KEKs.</summary>
    public async Task<CustomerKeyRecord> AddVersionAsync(string org, string keyId, CancellationToken cancellationToken)
    {
        string? created = null;
        try
        {
            return await UpdateAsync(org, keyId, cancellationToken, async key =>
            {
                Require(key, StoredKeyState.Enabled, "rotate");
                var version = key.Primary.Version + 1;
                created ??= await _root.CreateRootKeyAsync(VersionLabel(keyId, version), cancellationToken);
                return key with { Versions = [.. key.Versions, new CustomerKeyVersion(version, created, _time.GetUtcNow())] };
            });
        }
        catch (MoatException) when (created is not null)
        {
            await _root.DestroyRootKeyAsync(created, CancellationToken.None);
            throw;
        }
    }

    public Task<CustomerKeyRecord> DisableAsync(string org, string keyId, CancellationToken cancellationToken) =>
        UpdateAsync(org, keyId, cancellationToken, key =>
        {
            Require(key, StoredKeyState.Enabled, "disable");
            return Task.FromResult(key with { State = StoredKeyState.Disabled, StateChangedAt = _time.GetUtcNow() });
        });

    public Task<CustomerKeyRecord> EnableAsync(string org, string keyId, CancellationToken cancellationToken) =>
        UpdateAsync(org, keyId, cancellationToken, key =>
        {
            Require(key, StoredKeyState.Disabled, "enable");
            return Task.FromResult(key with { State = StoredKeyState.Enabled, StateChangedAt = _time.GetUtcNow() });
        });

    public Task<CustomerKeyRecord> ScheduleDestructionAsync(string org, string keyId, int pendingDays, CancellationToken cancellationToken)
    {
        var days = pendingDays == 0 ? DefaultPendingDays : pendingDays;
        if (days is < MinPendingDays or > MaxPendingDays)
        {
            throw new MoatValidationException("pending_days", $"must be between {MinPendingDays} and {MaxPendingDays} (default {DefaultPendingDays})");
        }

        return UpdateAsync(org, keyId, cancellationToken, key =>
        {
            if (key.State is not (StoredKeyState.Enabled or StoredKeyState.Disabled))
            {
                throw Illegal(key, "schedule destruction of");
            }

            var now = _time.GetUtcNow();
            return Task.FromResult(key with
            {
                StateBeforeDestructionScheduled = key.State,
                State = StoredKeyState.PendingDestruction,
                StateChangedAt = now,
                DestroyAfter = now.AddDays(days),
            });
        });
    }

    /// <summary>Back to the state the key had when destruction was scheduled.</summary>
    public Task<CustomerKeyRecord> CancelDestructionAsync(string org, string keyId, CancellationToken cancellationToken) =>
        UpdateAsync(org, keyId, cancellationToken, key =>
        {
            Require(key, StoredKeyState.PendingDestruction, "cancel destruction of");
            return Task.FromResult(key with { State = key.StateBeforeDestructionScheduled, StateChangedAt = _time.GetUtcNow(), DestroyAfter = null });
        });

    /// <summary>Keys whose pending destruction is due.</summary>
    public async Task<IReadOnlyList<CustomerKeyRecord>> DueForDestructionAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var due = new List<CustomerKeyRecord>();
        await foreach (var key in _keyStore.ListAsync<CustomerKeyRecord>("customer-keys/", cancellationToken))
        {
            if (key.State == StoredKeyState.PendingDestruction && key.DestroyAfter <= now)
            {
                due.Add(key);
            }
        }

        return due;
    }

    /// <summary>Marks the key destroyed and destroys every version in the root of trust. Irreversible.</summary>
    public async Task<CustomerKeyRecord> CompleteDestructionAsync(string org, string keyId, CancellationToken cancellationToken)
    {
        var destroyed = await UpdateAsync(org, keyId, cancellationToken, key =>
        {
            Require(key, StoredKeyState.PendingDestruction, "destroy");
            return Task.FromResult(key with { State = StoredKeyState.Destroyed, StateChangedAt = _time.GetUtcNow() });
        });
        foreach (var version in destroyed.Versions)
        {
            if (await _root.ExistsAsync(version.RootKeyId, cancellationToken))
            {
                await _root.DestroyRootKeyAsync(version.RootKeyId, cancellationToken);
            }
        }

        return destroyed;
    }

    public static KeyState ToProto(StoredKeyState state) => state switch
    {
        StoredKeyState.Enabled => KeyState.Enabled,
        StoredKeyState.Disabled => KeyState.Disabled,
        StoredKeyState.PendingDestruction => KeyState.PendingDestruction,
        _ => KeyState.Destroyed,
    };

    /// <summary>Why a namespace under this key cannot be used, or null when it can.</summary>
    public static (ErrorReason Reason, string Message)? Unusable(CustomerKeyRecord key) => key.State switch
    {
        StoredKeyState.Enabled => null,
        StoredKeyState.Disabled => (ErrorReason.KeyDisabled, $"key {key.Id} is disabled"),
        StoredKeyState.PendingDestruction => (ErrorReason.KeyDisabled, $"key {key.Id} is pending destruction"),
        _ => (ErrorReason.KeyDestroyed, $"key {key.Id} is destroyed"),
    };

    private async Task<CustomerKeyRecord> UpdateAsync(string org, string keyId, CancellationToken cancellationToken, Func<CustomerKeyRecord, Task<CustomerKeyRecord>> change)
    {
        var path = KeyStoreKeys.CustomerKey(org, keyId);
        while (true)
        {
            var found = await _keyStore.GetAsync<CustomerKeyRecord>(path, cancellationToken)
                ?? throw new MoatException(StatusCode.NotFound, ErrorReason.KeyNotFound, $"no key '{keyId}' in this org");
            var updated = await change(found.Value);
            if (await _keyStore.TryReplaceAsync(path, updated, found.ETag, cancellationToken))
            {
                return updated;
            }
        }
    }

    private static void Require(CustomerKeyRecord key, StoredKeyState state, string action)
    {
        if (key.State != state)
        {
            throw Illegal(key, action);
        }
    }

    private static MoatException Illegal(CustomerKeyRecord key, string action) =>
        new(StatusCode.FailedPrecondition, ErrorReason.IllegalKeyStateTransition, $"cannot {action} key {key.Id}: it is {key.State}",
            new Dictionary<string, string> { ["key_id"] = key.Id, ["state"] = key.State.ToString() });

    private static string VersionLabel(string keyId, long version) => $"ck.{keyId.Replace('_', '-')}.v{version}";
}
