namespace Moat.Wal;

/// <summary>Settings of <see cref="GroupCommitQueue"/> (configuration section <see cref="SectionName"/>).</summary>
public sealed class GroupCommitOptions
{
    public const string SectionName = "Wal:GroupCommit";

    /// <summary>
    /// How long a commit waits after its first write for more to join. Default 2 ms. Zero commits as
    /// soon as the previous commit of the namespace finished: writes that arrive while a put is in
    /// flight still form one entry. Not waited after a batch of one write during whose commit no
    /// other write arrived (a lone writer has no company to wait for).
    /// </summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Writes of one namespace waiting or being committed; one more fails with <see cref="WalQueueFullException"/>. Default 1024.</summary>
    public int MaxQueuedWritesPerNamespace { get; set; } = 1024;

    /// <summary>Writes waiting or being committed in all namespaces together. Default 16384.</summary>
    public int MaxQueuedWritesTotal { get; set; } = 16384;

    /// <summary>Most writes in one WAL entry. Default 256.</summary>
    public int MaxWritesPerEntry { get; set; } = 256;

    /// <summary>An entry stops taking writes once its encoded writes reach this size (one write alone may exceed it). Default 4 MiB.</summary>
    public int MaxEntryBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Time limit of one put or one read back; a put that exceeds it is resolved by reading back. Default 10 s.</summary>
    public TimeSpan StoreCallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Puts of the same sealed entry at one sequence (the first and those after a read back found it absent). Default 3.</summary>
    public int MaxPutsPerSequence { get; set; } = 3;

    /// <summary>Read-back attempts after an unanswered put before the batch fails as outcome unknown. Default 3.</summary>
    public int MaxReadBackAttempts { get; set; } = 3;

    /// <summary>Sequences a batch may lose to other writers before it fails. Default 1000.</summary>
    public int MaxLostRaces { get; set; } = 1000;

    /// <summary>A namespace with no write for this long drops its queue and loop (the next write lists the tail again). Default 5 min.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The violations, each naming the setting and the allowed values; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Window < TimeSpan.Zero || Window > TimeSpan.FromSeconds(1))
        {
            errors.Add($"{SectionName}:{nameof(Window)} must be between 0 and 1 s; it is {Window}.");
        }

        Positive(errors, nameof(MaxQueuedWritesPerNamespace), MaxQueuedWritesPerNamespace);
        Positive(errors, nameof(MaxQueuedWritesTotal), MaxQueuedWritesTotal);
        Positive(errors, nameof(MaxWritesPerEntry), MaxWritesPerEntry);
        Positive(errors, nameof(MaxEntryBytes), MaxEntryBytes);
        Positive(errors, nameof(MaxPutsPerSequence), MaxPutsPerSequence);
        Positive(errors, nameof(MaxReadBackAttempts), MaxReadBackAttempts);
        Positive(errors, nameof(MaxLostRaces), MaxLostRaces);
        if (IdleTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:{nameof(IdleTimeout)} must be positive; it is {IdleTimeout}.");
        }

        if (StoreCallTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:{nameof(StoreCallTimeout)} must be positive; it is {StoreCallTimeout}.");
        }

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

    private static void Positive(List<string> errors, string name, int value)
    {
        if (value <= 0)
        {
            errors.Add($"{SectionName}:{name} must be at least 1; it is {value}.");
        }
    }
}
