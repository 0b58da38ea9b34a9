using System.Collections.Concurrent;
using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Keys.Client;
using Moat.Storage.Sealing;
using Moat.V1;
using Moat.Wal;

namespace Moat.Write.Keys;

/// <summary>
/// The WAL's key source in the write service. Every write obtains the namespace's current key with
/// its caller's principal before it is queued and holds that lease (<see cref="Hold"/>) until its
/// commit is over; the commit loop seals with a copy of the newest lease held for the namespace, so
/// an entry is only ever sealed with a key a caller of that entry was given. With no lease held
/// (not expected: a batch's writes hold theirs), only a fresh cached key is used, else the batch
/// fails closed, not applied.
/// </summary>
internal sealed class WalSealingKeys : IWalKeySource
{
    private readonly KeyVaultKeySource _keys;
    private readonly ConcurrentDictionary<string, Holder> _held = new(StringComparer.Ordinal);

    public WalSealingKeys(KeyVaultKeySource keys)
    {
        _keys = keys;
    }

    /// <summary>Holds <paramref name="lease"/> for the namespace's commits until the returned handle is disposed (which disposes the lease).</summary>
    public IDisposable Hold(string namespaceId, SealingKey lease)
    {
        while (true)
        {
            var holder = _held.GetOrAdd(namespaceId, _ => new Holder());
            lock (holder)
            {
                if (!holder.Retired)
                {
                    holder.Leases.Add(lease);
                    return new Release(this, namespaceId, holder, lease);
                }
            }
        }
    }

    public ValueTask<SealingKey> GetCurrentAsync(string namespaceId, CancellationToken cancellationToken)
    {
        if (_held.TryGetValue(namespaceId, out var holder))
        {
            lock (holder)
            {
                if (holder.Leases.Count > 0)
                {
                    // Copied under the lock: a lease is disposed (zeroed) only under the same lock.
                    var newest = holder.Leases[^1];
                    return ValueTask.FromResult(SealingKey.Owned(newest.KeyringVersion, newest.DekId, newest.Key.ToArray()));
                }
            }
        }

        return ValueTask.FromResult(_keys.TryGetCachedCurrent(namespaceId)
            ?? throw new MoatException(StatusCode.Unavailable, ErrorReason.KeyStateUnavailable, "the namespace's key is no longer held; retry"));
    }

    public IDataKeySource DataKeys(string namespaceId) =>
        throw new InvalidOperationException("The write service reads its WAL with a caller's or a service purpose's keys (WalReaders made per access), never with the commit loop's.");

    private sealed class Holder
    {
        public List<SealingKey> Leases { get; } = [];

        /// <summary>Removed from the table: a new lease goes to a new holder.</summary>
        public bool Retired { get; set; }
    }

    private sealed class Release(WalSealingKeys owner, string namespaceId, Holder holder, SealingKey lease) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                return;
            }

            lock (holder)
            {
                holder.Leases.Remove(lease);
                lease.Dispose();
                if (holder.Leases.Count == 0)
                {
                    holder.Retired = true;
                    owner._held.TryRemove(new KeyValuePair<string, Holder>(namespaceId, holder));
                }
            }
        }
    }
}
