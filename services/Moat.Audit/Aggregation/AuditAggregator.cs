namespace Moat.Audit;

/// <summary>
/// Counts aggregatable events (authentication decisions, read-path key uses) per equal event and
/// minute until the writer flushes them as aggregate records. Bounded: past
/// <see cref="AuditWriterOptions.MaxAggregateBuckets"/> distinct buckets, events are counted in an
/// unattributed bucket per (org, kind, outcome, reason, minute). Nothing is ever dropped: counts
/// that fail to flush are put back.
/// </summary>
internal sealed class AuditAggregator
{
    public const long WindowMs = 60_000;

    private readonly Lock _lock = new();
    private readonly int _maxBuckets;
    private Dictionary<AggregateKey, long> _buckets = [];
    private long _overflowed;

    public AuditAggregator(int maxBuckets)
    {
        _maxBuckets = maxBuckets;
    }

    /// <summary>Events counted in unattributed overflow buckets so far.</summary>
    public long Overflowed => Interlocked.Read(ref _overflowed);

    /// <summary>Events counted and not yet flushed.</summary>
    public long PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _buckets.Values.Sum();
            }
        }
    }

    public void Add(AuditEvent e, DateTimeOffset now, long count = 1)
    {
        var window = now.ToUnixTimeMilliseconds();
        window -= ((window % WindowMs) + WindowMs) % WindowMs;
        Add(new AggregateKey(e, window), count);
    }

    /// <summary>Takes every bucket; the caller flushes them and gives back what it could not store.</summary>
    public Dictionary<AggregateKey, long> Drain()
    {
        lock (_lock)
        {
            var drained = _buckets;
            _buckets = [];
            return drained;
        }
    }

    /// <summary>Puts counts back (a flush failed): they are flushed with the next one.</summary>
    public void Restore(AggregateKey key, long count) => Add(key, count);

    private void Add(AggregateKey key, long count)
    {
        lock (_lock)
        {
            if (_buckets.TryGetValue(key, out var existing))
            {
                _buckets[key] = existing + count;
                return;
            }

            if (_buckets.Count >= _maxBuckets && key.Event.Principal.Kind != AuditPrincipalKind.Unattributed)
            {
                Interlocked.Add(ref _overflowed, count);
                key = new AggregateKey(Unattributed(key.Event), key.WindowStartUnixMs);
            }

            _buckets[key] = _buckets.GetValueOrDefault(key) + count;
        }
    }

    private static AuditEvent Unattributed(AuditEvent e) => new()
    {
        Kind = e.Kind,
        Outcome = e.Outcome,
        Org = e.Org,
        Reason = e.Reason,
        Principal = AuditPrincipal.Unattributed,
    };
}
