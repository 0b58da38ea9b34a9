using System.Globalization;

namespace Moat.Storage.ObjectStore;

/// <summary>
/// Time limits, retries and the circuit breaker of <see cref="ResilientObjectStore"/>. Validated
/// when the store is built (<see cref="Validate"/>); each message names the setting and its allowed values.
/// </summary>
public sealed class ResilientObjectStoreOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "ObjectStore:Resilience";

    /// <summary>The time limit of one attempt of one call (10 ms to 1 h). Default 10 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt, for idempotent calls only (0 to 10). Default 3.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The first retry's delay before jitter; later ones double (0 to 30 s). Default 100 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between retries (at least <see cref="RetryBaseDelay"/>, at most 5 min). Default 5 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The failure ratio in a sampling window that opens the circuit (above 0, at most 1). Default 0.5.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Calls a sampling window needs before the breaker may open (2 to 10000). Default 10.</summary>
    public int BreakerMinimumThroughput { get; set; } = 10;

    /// <summary>The breaker's sampling window (1 s to 1 h). Default 30 s.</summary>
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open before a trial call (1 s to 1 h). Default 15 s.</summary>
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Keys fetched per list call; a failed page is retried from the last key listed (1 to 10000). Default 1000.</summary>
    public int ListPageSize { get; set; } = 1000;

    /// <summary>Every violated rule, each naming its setting and allowed values; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        CheckTime(errors, nameof(AttemptTimeout), AttemptTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        CheckInt(errors, nameof(MaxRetryAttempts), MaxRetryAttempts, 0, 10);
        CheckTime(errors, nameof(RetryBaseDelay), RetryBaseDelay, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        CheckTime(errors, nameof(RetryMaxDelay), RetryMaxDelay, RetryBaseDelay, TimeSpan.FromMinutes(5));
        if (!(BreakerFailureRatio > 0 && BreakerFailureRatio <= 1))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{SectionName}:{nameof(BreakerFailureRatio)} must be above 0 and at most 1; it is {BreakerFailureRatio}."));
        }

        CheckInt(errors, nameof(BreakerMinimumThroughput), BreakerMinimumThroughput, 2, 10_000);
        CheckTime(errors, nameof(BreakerSamplingDuration), BreakerSamplingDuration, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        CheckTime(errors, nameof(BreakerBreakDuration), BreakerBreakDuration, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        CheckInt(errors, nameof(ListPageSize), ListPageSize, 1, 10_000);
        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every violated rule.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid object store resilience options: " + string.Join(" ", errors));
        }
    }

    private static void CheckTime(List<string> errors, string name, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{SectionName}:{name} must be between {min} and {max}; it is {value}."));
        }
    }

    private static void CheckInt(List<string> errors, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{SectionName}:{name} must be between {min} and {max}; it is {value}."));
        }
    }
}
