using Moat.Storage.ObjectStore;

namespace Moat.Indexer.Store;

/// <summary>What a create-if-absent put turned out to be.</summary>
internal enum CreateOutcome
{
    /// <summary>The store holds our bytes at the key.</summary>
    Created,

    /// <summary>Another writer's bytes are at the key; ours can never land there.</summary>
    Taken,
}

/// <summary>
/// A create-if-absent put whose lost answer is resolved by reading the key back (as the WAL does,
/// docs/wal.md), never by a blind retry: our bytes there = created; other bytes = taken; absent =
/// put the same bytes again (the condition still guards a late first request), a few times at most.
/// </summary>
internal static class CreateIfAbsent
{
    private const int MaxPuts = 3;
    private const int MaxReadBacks = 3;

    /// <summary>Puts <paramref name="bytes"/> at <paramref name="key"/> if absent. Throws <see cref="CreateOutcomeUnknownException"/> when it cannot tell.</summary>
    public static async Task<CreateOutcome> PutAsync(IObjectStore store, string key, ReadOnlyMemory<byte> bytes, TimeSpan callTimeout, TimeProvider time, CancellationToken cancellationToken)
    {
        for (var put = 1; ; put++)
        {
            Exception cause;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(callTimeout);
                await store.PutAsync(key, bytes, PutCondition.IfAbsent, timeout.Token).ConfigureAwait(false);
                return CreateOutcome.Created;
            }
            catch (ObjectStorePreconditionFailedException) when (put == 1)
            {
                // Nothing of ours can be there yet (a resilient store reports a precondition only after
                // reading other bytes back): the key is another writer's.
                return CreateOutcome.Taken;
            }
            catch (ObjectStoreCircuitOpenException e) when (put == 1)
            {
                throw new CreateOutcomeUnknownException(key, mayHaveBeenCreated: false, "the object store's circuit is open", e);
            }
            catch (Exception e) when (e is ObjectStoreException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                cause = e; // no answer, a time-out, an unknown outcome, or a precondition an earlier put of ours may have caused
            }

            switch (await ReadBackAsync(store, key, bytes, callTimeout, time, cause, cancellationToken).ConfigureAwait(false))
            {
                case true:
                    return CreateOutcome.Created;
                case false:
                    return CreateOutcome.Taken;
                default:
                    if (put >= MaxPuts)
                    {
                        throw new CreateOutcomeUnknownException(key, mayHaveBeenCreated: true, $"{put} puts got no answer and the object was absent when read back", cause);
                    }

                    break; // proven absent: the same bytes again, still create-if-absent
            }
        }
    }

    /// <summary>True: our bytes; false: other bytes; null: absent.</summary>
    private static async Task<bool?> ReadBackAsync(IObjectStore store, string key, ReadOnlyMemory<byte> bytes, TimeSpan callTimeout, TimeProvider time, Exception putFailure, CancellationToken cancellationToken)
    {
        var last = putFailure;
        for (var attempt = 1; attempt <= MaxReadBacks; attempt++)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(callTimeout);
                var stored = await store.GetAsync(key, null, timeout.Token).ConfigureAwait(false);
                return stored is null ? null : stored.Data.Span.SequenceEqual(bytes.Span);
            }
            catch (Exception e) when (e is ObjectStoreException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                last = e;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt), time, cancellationToken).ConfigureAwait(false);
        }

        throw new CreateOutcomeUnknownException(key, mayHaveBeenCreated: true, "the put got no answer and the object could not be read back", last);
    }
}
