using System.Runtime.CompilerServices;

namespace Moat.Storage.ObjectStore;

/// <summary>
/// A store decorator for tests that injects faults: failures before a call reaches the store
/// (not applied), failures after it was applied (answer lost), hangs before or after (time-outs),
/// and slow answers. Faults come from a script (<see cref="Enqueue"/>: the next calls of one kind,
/// in order) and, when the script for that kind is empty, from seeded probabilities
/// (<see cref="SetRandomFaults"/>), so a run is reproducible. It counts calls and applied calls per kind.
/// </summary>
public sealed class FaultyObjectStore : IObjectStore
{
    private readonly IObjectStore _inner;
    private readonly Lock _gate = new();
    private readonly Dictionary<ObjectStoreOperations, Queue<ObjectStoreFault>> _script = [];
    private readonly Dictionary<ObjectStoreOperations, int> _calls = [];
    private readonly Dictionary<ObjectStoreOperations, int> _applied = [];
    private readonly SplitMix64 _random;
    private ObjectStoreOperations _randomOperations;
    private (double FailBefore, double FailAfter, double HangBefore, double HangAfter, double Slow) _probabilities;
    private int _injected;

    public FaultyObjectStore(IObjectStore inner, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _random = new SplitMix64(seed);
    }

    /// <summary>How long <see cref="ObjectStoreFault.Slow"/> waits. Default 200 ms.</summary>
    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A hang nobody cancels ends with <see cref="ObjectStoreUnavailableException"/> after this. Default 30 s.</summary>
    public TimeSpan HangLimit { get; set; } = TimeSpan.FromSeconds(30);

    public string Region => _inner.Region;

    /// <summary>Faults injected so far.</summary>
    public int InjectedFaults
    {
        get
        {
            lock (_gate)
            {
                return _injected;
            }
        }
    }

    /// <summary>Scripts the next <paramref name="times"/> calls of <paramref name="operation"/> (one kind) to get <paramref name="fault"/>.</summary>
    public FaultyObjectStore Enqueue(ObjectStoreOperations operation, ObjectStoreFault fault, int times = 1)
    {
        if (operation == ObjectStoreOperations.None || (operation & (operation - 1)) != 0)
        {
            throw new ArgumentException("Script one kind of call at a time (e.g. ObjectStoreOperations.PutIfAbsent).", nameof(operation));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(times);
        lock (_gate)
        {
            if (!_script.TryGetValue(operation, out var queue))
            {
                _script[operation] = queue = new Queue<ObjectStoreFault>();
            }

            for (var i = 0; i < times; i++)
            {
                queue.Enqueue(fault);
            }
        }

        return this;
    }

    /// <summary>
    /// For calls of <paramref name="operations"/> with no scripted fault: each fault's probability
    /// (their sum at most 1), drawn from the seeded generator.
    /// </summary>
    public FaultyObjectStore SetRandomFaults(ObjectStoreOperations operations, double failBefore = 0, double failAfter = 0, double hangBefore = 0, double hangAfter = 0, double slow = 0)
    {
        double[] all = [failBefore, failAfter, hangBefore, hangAfter, slow];
        if (all.Any(p => p is < 0 or > 1) || all.Sum() > 1)
        {
            throw new ArgumentException("Fault probabilities must each be in [0, 1] and sum to at most 1.");
        }

        lock (_gate)
        {
            _randomOperations = operations;
            _probabilities = (failBefore, failAfter, hangBefore, hangAfter, slow);
        }

        return this;
    }

    /// <summary>Drops the script and the probabilities: calls pass through.</summary>
    public void ClearFaults()
    {
        lock (_gate)
        {
            _script.Clear();
            _randomOperations = ObjectStoreOperations.None;
        }
    }

    /// <summary>Calls of these kinds that reached this decorator.</summary>
    public int Calls(ObjectStoreOperations operations) => Count(_calls, operations);

    /// <summary>Calls of these kinds the inner store completed (whatever answer the caller then got).</summary>
    public int Applied(ObjectStoreOperations operations) => Count(_applied, operations);

    public Task<StoredObject?> GetAsync(string key, ByteRange? range, CancellationToken cancellationToken) =>
        RunAsync(ObjectStoreOperations.Get, key, token => _inner.GetAsync(key, range, token), cancellationToken);

    public Task<ObjectMetadata?> HeadAsync(string key, CancellationToken cancellationToken) =>
        RunAsync(ObjectStoreOperations.Head, key, token => _inner.HeadAsync(key, token), cancellationToken);

    public Task<string> PutAsync(string key, ReadOnlyMemory<byte> data, PutCondition condition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var operation = condition.Kind switch
        {
            PutConditionKind.IfAbsent => ObjectStoreOperations.PutIfAbsent,
            PutConditionKind.IfMatch => ObjectStoreOperations.PutIfMatch,
            _ => ObjectStoreOperations.Put,
        };
        return RunAsync(operation, key, token => _inner.PutAsync(key, data, condition, token), cancellationToken);
    }

    public Task DeleteAsync(string key, string? ifMatchETag, CancellationToken cancellationToken) =>
        RunAsync(ObjectStoreOperations.Delete, key, async token =>
        {
            await _inner.DeleteAsync(key, ifMatchETag, token);
            return true;
        }, cancellationToken);

    public async IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, string? startAfter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var fault = Next(ObjectStoreOperations.List);
        await BeforeAsync(fault, ObjectStoreOperations.List, prefix, cancellationToken);
        var yielded = 0;
        await foreach (var item in _inner.ListAsync(prefix, startAfter, cancellationToken).WithCancellation(cancellationToken))
        {
            if (yielded == 1 && fault is ObjectStoreFault.FailAfter or ObjectStoreFault.HangAfter)
            {
                await AfterAsync(fault, ObjectStoreOperations.List, prefix, cancellationToken);
            }

            yield return item;
            yielded++;
        }

        MarkApplied(ObjectStoreOperations.List);
        await AfterAsync(fault, ObjectStoreOperations.List, prefix, cancellationToken);
    }

    public override string ToString() => $"faulty {_inner}";

    private async Task<T> RunAsync<T>(ObjectStoreOperations operation, string key, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var fault = Next(operation);
        await BeforeAsync(fault, operation, key, cancellationToken);
        var result = await call(cancellationToken);
        MarkApplied(operation);
        await AfterAsync(fault, operation, key, cancellationToken);
        return result;
    }

    private async Task BeforeAsync(ObjectStoreFault fault, ObjectStoreOperations operation, string key, CancellationToken cancellationToken)
    {
        switch (fault)
        {
            case ObjectStoreFault.FailBefore:
                throw new ObjectStoreUnavailableException(key, $"Injected fault: {operation} of '{key}' failed before reaching the store.");
            case ObjectStoreFault.HangBefore:
                await HangAsync(operation, key, cancellationToken);
                break;
            case ObjectStoreFault.Slow:
                await Task.Delay(SlowDelay, cancellationToken);
                break;
        }
    }

    private async Task AfterAsync(ObjectStoreFault fault, ObjectStoreOperations operation, string key, CancellationToken cancellationToken)
    {
        switch (fault)
        {
            case ObjectStoreFault.FailAfter:
                throw new ObjectStoreUnavailableException(key, $"Injected fault: {operation} of '{key}' was applied but its answer was lost.");
            case ObjectStoreFault.HangAfter:
                await HangAsync(operation, key, cancellationToken);
                break;
        }
    }

    private async Task HangAsync(ObjectStoreOperations operation, string key, CancellationToken cancellationToken)
    {
        await Task.Delay(HangLimit, cancellationToken);
        throw new ObjectStoreUnavailableException(key, $"Injected fault: {operation} of '{key}' hung for {HangLimit}.");
    }

    private ObjectStoreFault Next(ObjectStoreOperations operation)
    {
        lock (_gate)
        {
            _calls[operation] = _calls.GetValueOrDefault(operation) + 1;
            var fault = ObjectStoreFault.None;
            if (_script.TryGetValue(operation, out var queue) && queue.Count > 0)
            {
                fault = queue.Dequeue();
            }
            else if ((_randomOperations & operation) != 0)
            {
                var draw = _random.NextDouble();
                var p = _probabilities;
                fault = draw < p.FailBefore ? ObjectStoreFault.FailBefore
                    : draw < p.FailBefore + p.FailAfter ? ObjectStoreFault.FailAfter
                    : draw < p.FailBefore + p.FailAfter + p.HangBefore ? ObjectStoreFault.HangBefore
                    : draw < p.FailBefore + p.FailAfter + p.HangBefore + p.HangAfter ? ObjectStoreFault.HangAfter
                    : draw < p.FailBefore + p.FailAfter + p.HangBefore + p.HangAfter + p.Slow ? ObjectStoreFault.Slow
                    : ObjectStoreFault.None;
            }

            if (fault != ObjectStoreFault.None)
            {
                _injected++;
            }

            return fault;
        }
    }

    private void MarkApplied(ObjectStoreOperations operation)
    {
        lock (_gate)
        {
            _applied[operation] = _applied.GetValueOrDefault(operation) + 1;
        }
    }

    private int Count(Dictionary<ObjectStoreOperations, int> counts, ObjectStoreOperations operations)
    {
        lock (_gate)
        {
            return counts.Where(pair => (pair.Key & operations) != 0).Sum(pair => pair.Value);
        }
    }
}
