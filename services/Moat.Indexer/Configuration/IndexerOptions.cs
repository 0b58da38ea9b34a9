namespace Moat.Indexer.Configuration;

/// <summary>Settings of the indexer, compaction, GC and their scheduling (configuration section <see cref="SectionName"/>).</summary>
public sealed class IndexerOptions
{
    public const string SectionName = "Indexer";

    /// <summary>The shortest WAL retention allowed: the write service looks idempotency keys up in the WAL for 24 h.</summary>
    public static readonly TimeSpan MinimumWalRetention = TimeSpan.FromHours(24);

    // ---- indexing ----

    /// <summary>Most WAL entries folded into one segment by one run. Default 4096.</summary>
    public int MaxEntriesPerRun { get; set; } = 4096;

    /// <summary>A run stops taking entries once their stored bytes reach this (one entry alone may exceed it). Default 64 MiB.</summary>
    public long MaxWalBytesPerRun { get; set; } = 64L * 1024 * 1024;

    /// <summary>Manifest races one run may lose (re-planning each time) before it gives up until the next run. Default 16.</summary>
    public int MaxPublishAttempts { get; set; } = 16;

    /// <summary>Time limit of one object-store call (a put that exceeds it is resolved by reading back). Default 30 s.</summary>
    public TimeSpan StoreCallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    // ---- compaction ----

    /// <summary>A segment is small when its stored size is at most this. Default 32 MiB.</summary>
    public long SmallSegmentBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Compaction starts when a namespace has more small segments than this. Default 8.</summary>
    public int MaxSmallSegments { get; set; } = 8;

    /// <summary>Most segments merged into one by one compaction. Default 32.</summary>
    public int MaxMergeInputs { get; set; } = 32;

    /// <summary>Most stored bytes merged by one compaction. Default 256 MiB.</summary>
    public long MaxMergeBytes { get; set; } = 256L * 1024 * 1024;

    // ---- garbage collection ----

    /// <summary>
    /// How long WAL entries stay after they were folded (counted from their commit); at least 24 h,
    /// because the write service finds idempotency keys in the WAL for 24 h. Default 24 h.
    /// </summary>
    public TimeSpan WalRetention { get; set; } = MinimumWalRetention;

    /// <summary>
    /// How long a reader may go on reading what a manifest names after a newer one replaced it:
    /// segments, WAL entries and the manifest itself stay at least this long after the manifest was
    /// superseded, and unreferenced segments at least this long after they were written. Default 15 min.
    /// </summary>
    public TimeSpan ReaderGrace { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The newest manifests GC always keeps, whatever their age. Default 8.</summary>
    public int KeepManifests { get; set; } = 8;

    /// <summary>Most objects one GC pass deletes in a namespace. Default 10000.</summary>
    public int MaxDeletesPerPass { get; set; } = 10_000;

    // ---- scheduling ----

    /// <summary>Wait after a commit notification before indexing, so a burst of commits is folded once. Default 200 ms.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Namespaces indexed, compacted or collected at once in this process. Default 2.</summary>
    public int MaxConcurrency { get; set; } = 2;

    /// <summary>Period of the sweep that indexes, compacts and collects every known namespace. Default 1 min.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>First wait before a failed namespace is tried again (doubling up to <see cref="RetryMaxDelay"/>). Default 1 s.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between retries of a failing namespace. Default 5 min.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    // ---- caches ----

    /// <summary>Unsealed segments kept in memory for base lookups and compaction (bytes). Default 256 MiB.</summary>
    public long SegmentCacheBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>The violations, each naming the setting and the allowed values; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        AtLeast(errors, nameof(MaxEntriesPerRun), MaxEntriesPerRun, 1);
        AtLeast(errors, nameof(MaxWalBytesPerRun), MaxWalBytesPerRun, 1);
        AtLeast(errors, nameof(MaxPublishAttempts), MaxPublishAttempts, 1);
        Positive(errors, nameof(StoreCallTimeout), StoreCallTimeout);
        AtLeast(errors, nameof(SmallSegmentBytes), SmallSegmentBytes, 1);
        AtLeast(errors, nameof(MaxSmallSegments), MaxSmallSegments, 1);
        AtLeast(errors, nameof(MaxMergeInputs), MaxMergeInputs, 2);
        AtLeast(errors, nameof(MaxMergeBytes), MaxMergeBytes, 1);
        if (WalRetention < MinimumWalRetention)
        {
            errors.Add($"{SectionName}:{nameof(WalRetention)} must be at least {MinimumWalRetention} (the write service looks idempotency keys up in the WAL for 24 h); it is {WalRetention}.");
        }

        if (ReaderGrace < TimeSpan.FromMinutes(1))
        {
            errors.Add($"{SectionName}:{nameof(ReaderGrace)} must be at least 00:01:00 (readers and slow indexers rely on it); it is {ReaderGrace}.");
        }

        if (ReaderGrace > WalRetention)
        {
            errors.Add($"{SectionName}:{nameof(ReaderGrace)} must not exceed {nameof(WalRetention)} ({WalRetention}); it is {ReaderGrace}.");
        }

        AtLeast(errors, nameof(KeepManifests), KeepManifests, 2);
        AtLeast(errors, nameof(MaxDeletesPerPass), MaxDeletesPerPass, 1);
        if (Debounce < TimeSpan.Zero || Debounce > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{SectionName}:{nameof(Debounce)} must be between 0 and 00:01:00; it is {Debounce}.");
        }

        AtLeast(errors, nameof(MaxConcurrency), MaxConcurrency, 1);
        Positive(errors, nameof(SweepInterval), SweepInterval);
        Positive(errors, nameof(RetryBaseDelay), RetryBaseDelay);
        if (RetryMaxDelay < RetryBaseDelay)
        {
            errors.Add($"{SectionName}:{nameof(RetryMaxDelay)} must be at least {nameof(RetryBaseDelay)} ({RetryBaseDelay}); it is {RetryMaxDelay}.");
        }

        AtLeast(errors, nameof(SegmentCacheBytes), SegmentCacheBytes, 0);
        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every violation.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors));
        }
    }

    private static void AtLeast(List<string> errors, string name, long value, long minimum)
    {
        if (value < minimum)
        {
            errors.Add($"{SectionName}:{name} must be at least {minimum}; it is {value}.");
        }
    }

    private static void Positive(List<string> errors, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:{name} must be positive; it is {value}.");
        }
    }
}
