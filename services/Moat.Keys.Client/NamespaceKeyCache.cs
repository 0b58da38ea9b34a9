using System.Collections.Concurrent;
using System.Security.Cryptography;
using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Hosting.Principals;
using Moat.Internal.V1;
using Moat.V1;

namespace Moat.Keys.Client;

/// <summary>
/// Data keys obtained from KeyVault, cached for at most the TTL and zeroed when dropped
/// (<see cref="CryptographicOperations.ZeroMemory"/>). The state of every namespace key in use is
/// re-checked at least once per TTL; a key found disabled or destroyed — or a check that cannot be
/// made — drops the namespace's keys at once (fail closed) and tells every listener, so data caches
/// built on those keys are dropped with them.
/// </summary>
public sealed partial class NamespaceKeyCache : IAsyncDisposable
{
    private readonly KeyVault.KeyVaultClient _vault;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly List<Action<NamespaceKeyUnusable>> _listeners = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _rechecks;
    private readonly Lock _storeGate = new();

    public NamespaceKeyCache(KeyVault.KeyVaultClient vault, KeyCacheOptions options, TimeProvider time)
    {
        if (options.Ttl <= TimeSpan.Zero || options.Ttl > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Moat:KeyCache:Ttl must be between 1 second and 5 minutes.");
        }

        _vault = vault;
        _ttl = options.Ttl;
        _time = time;
        _rechecks = RecheckLoopAsync(_stop.Token);
    }

    /// <summary>Subscribes to drops: data caches built on a namespace's keys drop themselves here.</summary>
    public void OnUnusable(Action<NamespaceKeyUnusable> listener)
    {
        lock (_listeners)
        {
            _listeners.Add(listener);
        }
    }

    /// <summary>The namespace's current data key, for sealing. <paramref name="principal"/> is the caller's signed principal (or null for a service purpose).</summary>
    public async Task<(DataKeyRef Ref, ReadOnlyMemory<byte> Key)> GetCurrentAsync(string org, string namespaceId, KeyPurpose purpose, byte[]? principal, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_entries.TryGetValue(namespaceId, out var entry) && entry.Current is { } current && entry.FreshUntil > now && entry.Keys.TryGetValue(current, out var cached))
        {
            return (current, cached);
        }

        var reply = await CallAsync(() => _vault.GetCurrentDataKeyAsync(
            new GetCurrentDataKeyRequest { Org = org, NamespaceId = namespaceId, Purpose = purpose },
            Headers(principal), cancellationToken: cancellationToken).ResponseAsync, namespaceId);
        var stored = Store(org, namespaceId, reply.Key, makeCurrent: true);
        return (reply.Key.Ref, stored);
    }

    /// <summary>A specific data key (named in a sealed object's header), for unsealing.</summary>
    public async Task<ReadOnlyMemory<byte>> GetAsync(string org, string namespaceId, DataKeyRef keyRef, KeyPurpose purpose, byte[]? principal, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_entries.TryGetValue(namespaceId, out var entry) && entry.FreshUntil > now && entry.Keys.TryGetValue(keyRef, out var cached))
        {
            return cached;
        }

        var request = new UnwrapDataKeysRequest { Org = org, NamespaceId = namespaceId, Purpose = purpose };
        request.Refs.Add(keyRef);
        var reply = await CallAsync(() => _vault.UnwrapDataKeysAsync(request, Headers(principal), cancellationToken: cancellationToken).ResponseAsync, namespaceId);
        return Store(org, namespaceId, reply.Keys[0], makeCurrent: false);
    }

    /// <summary>Whether any key of the namespace is cached now.</summary>
    public bool Holds(string namespaceId) => _entries.ContainsKey(namespaceId);

    /// <summary>Checks the state of every cached namespace now; drops what is unusable or cannot be checked.</summary>
    public async Task RecheckAsync(CancellationToken cancellationToken)
    {
        foreach (var group in _entries.Values.GroupBy(e => e.Org))
        {
            var request = new CheckKeyStateRequest { Org = group.Key };
            request.NamespaceIds.AddRange(group.Select(e => e.NamespaceId));
            CheckKeyStateResponse reply;
            try
            {
                reply = await _vault.CheckKeyStateAsync(request, deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken);
            }
            catch (RpcException)
            {
                // The state cannot be checked: fail closed, drop everything of this org.
                foreach (var entry in group)
                {
                    Drop(entry.NamespaceId, ErrorReason.KeyStateUnavailable);
                }

                continue;
            }

            var now = _time.GetUtcNow();
            foreach (var state in reply.States)
            {
                if (!state.Usable)
                {
                    Drop(state.NamespaceId, state.Reason);
                }
                else if (_entries.TryGetValue(state.NamespaceId, out var entry))
                {
                    entry.CheckedAt = now;
                }
            }
        }
    }

    /// <summary>Drops (and zeroes) every key of the namespace and tells the listeners.</summary>
    public void Drop(string namespaceId, ErrorReason reason)
    {
        if (!_entries.TryRemove(namespaceId, out var entry))
        {
            return;
        }

        entry.Zero();
        Action<NamespaceKeyUnusable>[] listeners;
        lock (_listeners)
        {
            listeners = [.. _listeners];
        }

        foreach (var listener in listeners)
        {
            listener(new NamespaceKeyUnusable(namespaceId, reason));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _rechecks;
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        foreach (var id in _entries.Keys)
        {
            if (_entries.TryRemove(id, out var entry))
            {
                entry.Zero();
            }
        }

        _stop.Dispose();
    }

    /// <summary>
    /// Copies a cached key (<paramref name="keyRef"/>, or the current one when null) into
    /// <paramref name="destination"/> (32 bytes) if the namespace's entry is fresh. The copy is whole
    /// or refused: an entry is always removed from the table before it is zeroed, so when it is
    /// still in the table after the copy, no zeroing overlapped it. Copies are what seal: a key
    /// dropped while an object is being sealed must never seal it with zeroes.
    /// </summary>
    public bool TryCopy(string namespaceId, DataKeyRef? keyRef, Span<byte> destination, out DataKeyRef copied)
    {
        copied = null!;
        if (!_entries.TryGetValue(namespaceId, out var entry) || entry.FreshUntil <= _time.GetUtcNow())
        {
            return false;
        }

        var wanted = keyRef ?? entry.Current;
        if (wanted is null || !entry.Keys.TryGetValue(wanted, out var bytes) || bytes.Length != destination.Length)
        {
            return false;
        }

        bytes.CopyTo(destination);
        if (!_entries.TryGetValue(namespaceId, out var still) || !ReferenceEquals(still, entry))
        {
            CryptographicOperations.ZeroMemory(destination);
            return false;
        }

        copied = wanted;
        return true;
    }

    private ReadOnlyMemory<byte> Store(string org, string namespaceId, DataKey key, bool makeCurrent)
    {
        lock (_storeGate)
        {
            // An expired entry is replaced (then zeroed), so keys fetched again are fresh for a whole TTL.
            var now = _time.GetUtcNow();
            Entry? stale = null;
            if (!_entries.TryGetValue(namespaceId, out var entry) || entry.FreshUntil <= now)
            {
                stale = entry;
                entry = new Entry(org, namespaceId, now + _ttl, now);
                _entries[namespaceId] = entry;
            }

            var bytes = key.Key.ToByteArray();
            if (entry.Keys.TryGetValue(key.Ref, out var existing))
            {
                // Keep the array readers may be copying; never leave a second plaintext copy behind.
                CryptographicOperations.ZeroMemory(bytes);
                bytes = existing;
            }
            else
            {
                entry.Keys[key.Ref] = bytes;
            }

            if (makeCurrent)
            {
                entry.Current = key.Ref;
            }

            stale?.Zero();
            return bytes;
        }
    }

    private async Task<T> CallAsync<T>(Func<Task<T>> call, string namespaceId)
    {
        try
        {
            return await call();
        }
        catch (RpcException e) when (RpcErrors.ReasonOf(e) is "KEY_DISABLED" or "KEY_DESTROYED")
        {
            Drop(namespaceId, RpcErrors.ReasonOf(e) == "KEY_DISABLED" ? ErrorReason.KeyDisabled : ErrorReason.KeyDestroyed);
            throw;
        }
    }

    private async Task RecheckLoopAsync(CancellationToken stop)
    {
        // Half the TTL between checks, so each key's state is confirmed at least once per TTL; entries
        // past their TTL are dropped whatever the check says.
        using var timer = new PeriodicTimer(_ttl / 2, _time);
        while (await timer.WaitForNextTickAsync(stop))
        {
            var now = _time.GetUtcNow();
            foreach (var entry in _entries.Values.Where(e => e.FreshUntil <= now))
            {
                if (_entries.TryRemove(entry.NamespaceId, out var expired))
                {
                    expired.Zero();
                }
            }

            await RecheckAsync(stop);
        }
    }

    private static Metadata? Headers(byte[]? principal) =>
        principal is null ? null : new Metadata { { PrincipalMetadata.Header, principal } };

    private sealed class Entry(string org, string namespaceId, DateTimeOffset freshUntil, DateTimeOffset checkedAt)
    {
        public string Org { get; } = org;

        public string NamespaceId { get; } = namespaceId;

        public DateTimeOffset FreshUntil { get; } = freshUntil;

        public DateTimeOffset CheckedAt { get; set; } = checkedAt;

        public DataKeyRef? Current { get; set; }

        public ConcurrentDictionary<DataKeyRef, byte[]> Keys { get; } = new();

        public void Zero()
        {
            foreach (var key in Keys.Values)
            {
                CryptographicOperations.ZeroMemory(key);
            }

            Keys.Clear();
        }
    }
}
