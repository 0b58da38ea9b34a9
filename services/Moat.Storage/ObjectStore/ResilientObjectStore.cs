using System.Runtime.CompilerServices;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Moat.Storage.ObjectStore;

/// <summary>
/// Wraps a store with a time limit per attempt, a circuit breaker, and jittered exponential retries
/// for idempotent calls only: get, head, list (by page, resuming after the last key), delete and
/// unconditional put. A conditional put (if-absent, if-match) is never blindly retried: when its
/// outcome is unknown (timeout, or unavailable after the request may have reached the store) it is
/// resolved by reading the object back.
/// </summary>
/// <remarks>
/// <para>Resolving a conditional put of bytes B: the stored object holds B → success (its ETag).
/// If-absent: absent → not applied, put again once; other bytes → precondition failed. If-match:
/// the stored ETag is still the expected one → not applied, put again once; anything else →
/// <see cref="ObjectStoreOutcomeUnknownException"/>, since another writer may have replaced our
/// write already (answering "failed" could make the caller apply its change twice). A put again
/// whose outcome is unknown too, or a read back that fails, ends in
/// <see cref="ObjectStoreOutcomeUnknownException"/>.</para>
/// <para>Transient failures (<see cref="ObjectStoreUnavailableException"/> and timeouts) count
/// towards the breaker; preconditions, bad ranges, invalid keys and other permanent errors do not.
/// Time-outs surface as <see cref="ObjectStoreTimeoutException"/>, an open circuit as
/// <see cref="ObjectStoreCircuitOpenException"/>.</para>
/// </remarks>
public sealed class ResilientObjectStore : IObjectStore
{
    private const int ReputsAfterConfirmedAbsence = 1;

    private readonly IObjectStore _inner;
    private readonly ResilientObjectStoreOptions _options;
    private readonly ResiliencePipeline _attempt;
    private readonly ResiliencePipeline _retry;

    public ResilientObjectStore(IObjectStore inner, ResilientObjectStoreOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _inner = inner;
        _options = options;

        var transient = new PredicateBuilder()
            .Handle<ObjectStoreUnavailableException>()
            .Handle<TimeoutRejectedException>();

        // One attempt: breaker (shared by every call) around the per-attempt timeout.
        _attempt = new ResiliencePipelineBuilder { TimeProvider = timeProvider ?? TimeProvider.System }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = options.BreakerSamplingDuration,
                BreakDuration = options.BreakerBreakDuration,
                ShouldHandle = transient,
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();

        var retry = new ResiliencePipelineBuilder { TimeProvider = timeProvider ?? TimeProvider.System };
        if (options.MaxRetryAttempts > 0)
        {
            retry.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldHandle = transient, // an open circuit (BrokenCircuitException) is not retried
            });
        }

        _retry = retry.Build();
    }

    public string Region => _inner.Region;

    public Task<StoredObject?> GetAsync(string key, ByteRange? range, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        return RunIdempotentAsync("GET", key, token => _inner.GetAsync(key, range, token), cancellationToken);
    }

    public Task<ObjectMetadata?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        return RunIdempotentAsync("HEAD", key, token => _inner.HeadAsync(key, token), cancellationToken);
    }

    public Task<string> PutAsync(string key, ReadOnlyMemory<byte> data, PutCondition condition, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        ArgumentNullException.ThrowIfNull(condition);
        return condition.IsConditional
            ? PutConditionalAsync(key, data, condition, cancellationToken)
            : RunIdempotentAsync("PUT", key, token => _inner.PutAsync(key, data, condition, token), cancellationToken);
    }

    public async IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, string? startAfter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectKey.ValidatePrefix(prefix);
        var after = startAfter;
        while (true)
        {
            var pageAfter = after;
            var page = await RunIdempotentAsync("LIST", prefix, async token =>
            {
                var items = new List<ObjectMetadata>();
                await foreach (var item in _inner.ListAsync(prefix, pageAfter, token).WithCancellation(token))
                {
                    items.Add(item);
                    if (items.Count == _options.ListPageSize)
                    {
                        break;
                    }
                }

                return items;
            }, cancellationToken);

            foreach (var item in page)
            {
                yield return item;
            }

            if (page.Count < _options.ListPageSize)
            {
                yield break;
            }

            after = page[^1].Key;
        }
    }

    public Task DeleteAsync(string key, string? ifMatchETag, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        return RunIdempotentAsync("DELETE", key, async token =>
        {
            await _inner.DeleteAsync(key, ifMatchETag, token);
            return true;
        }, cancellationToken);
    }

    public override string ToString() => $"resilient {_inner}";

    private async Task<string> PutConditionalAsync(string key, ReadOnlyMemory<byte> data, PutCondition condition, CancellationToken cancellationToken)
    {
        var reputs = ReputsAfterConfirmedAbsence;
        ObjectStoreException? unknown = null; // set once an attempt may have been applied unseen
        while (true)
        {
            try
            {
                return await RunOnceAsync("PUT", key, token => _inner.PutAsync(key, data, condition, token), cancellationToken);
            }
            catch (ObjectStorePreconditionFailedException) when (unknown is null)
            {
                throw;
            }
            catch (ObjectStoreCircuitOpenException e)
            {
                // Not sent. Fine to report as is, unless an earlier attempt may have been applied.
                if (unknown is null)
                {
                    throw;
                }

                throw new ObjectStoreOutcomeUnknownException(key, condition, "an earlier attempt got no answer and the circuit opened before it could be resolved", e);
            }
            catch (ObjectStorePreconditionFailedException e)
            {
                unknown = e; // our own earlier attempt may be what makes this one fail: read to tell
            }
            catch (ObjectStoreUnavailableException e)
            {
                unknown = e;
            }

            StoredObject? current;
            try
            {
                current = await GetAsync(key, null, cancellationToken);
            }
            catch (ObjectStoreUnavailableException e)
            {
                throw new ObjectStoreOutcomeUnknownException(key, condition, "the put got no answer and reading the object back failed too", e);
            }

            if (current is not null && current.Data.Span.SequenceEqual(data.Span))
            {
                return current.Metadata.ETag; // ours (or identical bytes): applied
            }

            var notApplied = condition.Kind == PutConditionKind.IfAbsent
                ? current is null
                : current is not null && current.Metadata.ETag == condition.ETag;
            if (notApplied)
            {
                if (reputs-- > 0)
                {
                    continue; // proven not applied: the condition still guards a second try
                }

                throw new ObjectStoreOutcomeUnknownException(key, condition, "it was not applied when read back, and a second try got no answer either", unknown);
            }

            if (condition.Kind == PutConditionKind.IfAbsent)
            {
                throw new ObjectStorePreconditionFailedException(key, condition, "the key holds other content (read back after an unanswered attempt)");
            }

            throw new ObjectStoreOutcomeUnknownException(key, condition, "the object changed since, so whether ours was applied first cannot be known", unknown);
        }
    }

    /// <summary>An idempotent call: retries of single attempts through the shared breaker and timeout.</summary>
    private async Task<T> RunIdempotentAsync<T>(string operation, string key, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var attempts = 0;
        try
        {
            return await _retry.ExecuteAsync(
                async retryToken => await _attempt.ExecuteAsync(
                    async token =>
                    {
                        Interlocked.Increment(ref attempts);
                        return await call(token);
                    },
                    retryToken),
                cancellationToken);
        }
        catch (TimeoutRejectedException e)
        {
            throw new ObjectStoreTimeoutException(key, operation, _options.AttemptTimeout, attempts, e);
        }
        catch (BrokenCircuitException e)
        {
            throw new ObjectStoreCircuitOpenException(key, operation, e);
        }
    }

    /// <summary>One attempt, no retry (conditional puts).</summary>
    private async Task<T> RunOnceAsync<T>(string operation, string key, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await _attempt.ExecuteAsync(async token => await call(token), cancellationToken);
        }
        catch (TimeoutRejectedException e)
        {
            throw new ObjectStoreTimeoutException(key, operation, _options.AttemptTimeout, 1, e);
        }
        catch (BrokenCircuitException e)
        {
            throw new ObjectStoreCircuitOpenException(key, operation, e);
        }
    }
}
