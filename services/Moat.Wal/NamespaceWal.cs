using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Moat.Internal.V1;
using Moat.Segments.Wal;
using Moat.Storage;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;

namespace Moat.Wal;

/// <summary>
/// The WAL of one namespace in this process: a queue of submitted writes and one commit loop that
/// turns what is queued into one sealed entry, puts it create-if-absent at the next free sequence,
/// and acknowledges its writes only once the put is known to have succeeded (docs/wal.md).
/// </summary>
internal sealed class NamespaceWal
{
    /// <summary>
    /// Buffers of sealed entries (ciphertext only: never shared with plaintext users), returned once
    /// the store's call has completed; after a failed put the buffer is left to the GC instead.
    /// </summary>
    private static readonly ArrayPool<byte> SealedBuffers = ArrayPool<byte>.Create(maxArrayLength: 16 * 1024 * 1024, maxArraysPerBucket: 4);

    private readonly string _namespaceId;
    private readonly string _prefix;
    private readonly IObjectStore _store;
    private readonly IWalKeySource _keys;
    private readonly GroupCommitOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<int> _released;
    private readonly Func<NamespaceWal, bool> _tryRetire;
    private readonly ICommitListener[] _listeners;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationToken _stopping;
    private readonly List<ReadOnlyMemory<byte>> _encodedWrites = [];
    private int _pending;

    // Owned by the commit loop only.
    private long _next;            // the sequence to try next; 0 = unknown, list the tail first
    private long _highestKnown;    // a sequence known to exist (lists start after it)
    private bool _unresolvedPut;   // a put at the current sequence may have been applied unseen

    public NamespaceWal(string namespaceId, IObjectStore store, IWalKeySource keys, GroupCommitOptions options, TimeProvider time,
        ILogger logger, Action<int> released, Func<NamespaceWal, bool> tryRetire, ICommitListener[] listeners, CancellationToken stopping)
    {
        _namespaceId = namespaceId;
        _prefix = WalPaths.Prefix(namespaceId);
        _store = store;
        _keys = keys;
        _options = options;
        _time = time;
        _logger = logger;
        _released = released;
        _tryRetire = tryRetire;
        _listeners = listeners;
        _stopping = stopping;
        Loop = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>The namespace this WAL writes.</summary>
    public string NamespaceId => _namespaceId;

    /// <summary>Writes waiting or being committed.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>The commit loop; ends after <see cref="Complete"/> or when stopping.</summary>
    public Task Loop { get; }

    /// <summary>Queues a write; throws <see cref="WalQueueFullException"/> when the namespace holds its limit.</summary>
    public void Enqueue(PendingWrite write)
    {
        if (Interlocked.Increment(ref _pending) > _options.MaxQueuedWritesPerNamespace)
        {
            Interlocked.Decrement(ref _pending);
            throw new WalQueueFullException(_namespaceId, _options.MaxQueuedWritesPerNamespace, "the namespace");
        }

        if (!_queue.Writer.TryWrite(write))
        {
            Interlocked.Decrement(ref _pending);
            throw new ObjectDisposedException(nameof(GroupCommitQueue));
        }
    }

    /// <summary>Takes no more writes; the loop commits what is queued (unless stopping) and ends.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingWrite>();
        var alone = false; // the last batch was one write, and none arrived while it was committed
        try
        {
            while (await WaitOrRetireAsync(reader).ConfigureAwait(false))
            {
                // The window gathers company; a lone writer (one write at a time, waiting for each
                // acknowledgement) has none to gather and would only wait. Writes that arrive during
                // a commit switch the window back on for the next batch.
                if (_options.Window > TimeSpan.Zero && !alone)
                {
                    await Task.Delay(_options.Window, _time, _stopping).ConfigureAwait(false);
                }

                batch.Clear();
                var bytes = 0L;
                while (batch.Count < _options.MaxWritesPerEntry && reader.TryPeek(out var next)
                    && (batch.Count == 0 || bytes + next.Size <= _options.MaxEntryBytes))
                {
                    if (batch.Count > 0 && next.ExpectedVersion is not null)
                    {
                        break; // a conditional write is committed alone, in the next entry
                    }

                    reader.TryRead(out _);
                    batch.Add(next);
                    bytes += next.Size;
                    if (next.ExpectedVersion is not null)
                    {
                        break;
                    }
                }

                var quiet = await CommitAsync(batch, reader).ConfigureAwait(false);
                alone = batch.Count == 1 && quiet;
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // stopping: fail what is left below
        }
        finally
        {
            while (reader.TryRead(out var left))
            {
                Fail([left], new WalCommitException(_namespaceId, 0, false, "the WAL is shutting down; the write was not committed"));
            }
        }
    }

    /// <summary>True when writes are queued; false when completed, or idle for <see cref="GroupCommitOptions.IdleTimeout"/> and retired.</summary>
    private async Task<bool> WaitOrRetireAsync(ChannelReader<PendingWrite> reader)
    {
        while (true)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
            idle.CancelAfter(_options.IdleTimeout);
            try
            {
                return await reader.WaitToReadAsync(idle.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
            {
                if (_tryRetire(this))
                {
                    return false; // removed from the queue's table under its lock with nothing pending
                }
            }
        }
    }

    /// <summary>
    /// Commits the batch and settles its writes. Returns true when it was committed and no write
    /// arrived while it was: decided before the acknowledgements go out, since a lone writer's next
    /// write follows its acknowledgement at once and must not count as having arrived during the commit.
    /// </summary>
    private async Task<bool> CommitAsync(List<PendingWrite> batch, ChannelReader<PendingWrite> reader)
    {
        try
        {
            var (sequence, committedAt) = batch[0].ExpectedVersion is { } expected
                ? await WriteConditionalEntryAsync(batch, expected).ConfigureAwait(false)
                : await WriteEntryAsync(batch).ConfigureAwait(false);
            var quiet = !reader.TryPeek(out _);

            // Free the places first: a caller that sees its acknowledgement sees the queue without it.
            ReleaseEncoded(batch);
            Release(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.TrySetResult(new WalAck(sequence, i, committedAt));
            }

            Notify(sequence, committedAt, batch.Count);
            return quiet;
        }
        catch (WalConditionFailedException e)
        {
            // Certainly not written; the loop's view of the tail stays valid.
            Fail(batch, e);
            return false;
        }
        catch (Exception e)
        {
            var failure = e as WalCommitException
                ?? new WalCommitException(_namespaceId, _next, _unresolvedPut,
                    _stopping.IsCancellationRequested ? "the WAL is shutting down" : e.Message, e);
            WalLog.CommitFailed(_logger, _namespaceId, failure.Sequence, batch.Count, failure.MayHaveBeenApplied, e);
            _next = 0; // re-read the tail before the next batch
            _unresolvedPut = false;
            Fail(batch, failure);
            return false;
        }
    }

    private void Fail(List<PendingWrite> writes, Exception failure)
    {
        ReleaseEncoded(writes);
        Release(writes.Count);
        foreach (var write in writes)
        {
            write.Completion.TrySetException(failure);
        }
    }

    private static void ReleaseEncoded(List<PendingWrite> writes)
    {
        foreach (var write in writes)
        {
            write.ReleaseEncoded();
        }
    }

    private void Release(int count)
    {
        Interlocked.Add(ref _pending, -count);
        _released(count);
    }

    /// <summary>Writes the batch as one entry; returns its sequence. Throws <see cref="WalCommitException"/> (or the cause).</summary>
    private async Task<(long Sequence, DateTimeOffset CommittedAt)> WriteEntryAsync(List<PendingWrite> batch)
    {
        var lostRaces = 0;
        while (true)
        {
            if (_next == 0)
            {
                _next = await FindNextSequenceAsync().ConfigureAwait(false);
            }

            var sequence = _next;
            var key = StoragePaths.WalEntry(_namespaceId, sequence);
            var committedAt = _time.GetUtcNow();
            if (await SealAndPutAsync(batch, sequence, committedAt, key).ConfigureAwait(false))
            {
                _next = sequence + 1;
                _highestKnown = sequence;
                return (sequence, committedAt);
            }

            // Another writer holds this sequence: the batch moves on to the next free one.
            WalLog.LostRace(_logger, _namespaceId, sequence, batch.Count);
            _highestKnown = Math.Max(_highestKnown, sequence);
            _next = 0;
            if (++lostRaces >= _options.MaxLostRaces)
            {
                throw new WalCommitException(_namespaceId, sequence, false, $"the batch lost {lostRaces} sequences in a row to other writers");
            }
        }
    }

    /// <summary>
    /// Writes a conditional write (alone) at exactly <paramref name="expected"/> + 1, or throws
    /// <see cref="WalConditionFailedException"/>: the tail is not <paramref name="expected"/>, or
    /// another writer took the sequence first (create-if-absent decides, across processes).
    /// </summary>
    private async Task<(long Sequence, DateTimeOffset CommittedAt)> WriteConditionalEntryAsync(List<PendingWrite> batch, long expected)
    {
        if (_next == 0 || _next - 1 < expected)
        {
            // Unknown, or behind what the writer expects: other writers may have moved the tail.
            _next = await FindNextSequenceAsync().ConfigureAwait(false);
        }

        if (_next - 1 != expected)
        {
            throw new WalConditionFailedException(_namespaceId, expected, _next - 1);
        }

        var sequence = _next;
        var key = StoragePaths.WalEntry(_namespaceId, sequence);
        var committedAt = _time.GetUtcNow();
        if (await SealAndPutAsync(batch, sequence, committedAt, key).ConfigureAwait(false))
        {
            _next = sequence + 1;
            _highestKnown = sequence;
            return (sequence, committedAt);
        }

        // Another writer committed at expected + 1 first: the condition no longer holds.
        WalLog.LostRace(_logger, _namespaceId, sequence, batch.Count);
        _highestKnown = Math.Max(_highestKnown, sequence);
        _next = 0;
        var current = sequence;
        try
        {
            _next = await FindNextSequenceAsync().ConfigureAwait(false);
            current = _next - 1;
        }
        catch (WalCommitException)
        {
            // The tail is at least the sequence we lost; it is listed again before the next batch.
        }

        throw new WalConditionFailedException(_namespaceId, expected, current);
    }

    private void Notify(long sequence, DateTimeOffset committedAt, int writes)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                listener.OnCommitted(_namespaceId, sequence, committedAt, writes);
            }
            catch (Exception e)
            {
                WalLog.ListenerFailed(_logger, _namespaceId, sequence, e);
            }
        }
    }

    /// <summary>The sequence after the last WAL key (listing only after the highest sequence known to exist).</summary>
    private async Task<long> FindNextSequenceAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        timeout.CancelAfter(_options.StoreCallTimeout);
        var startAfter = _highestKnown > 0 ? StoragePaths.WalEntry(_namespaceId, _highestKnown) : null;
        var last = _highestKnown;
        try
        {
            await foreach (var item in _store.ListAsync(_prefix, startAfter, timeout.Token).ConfigureAwait(false))
            {
                if (WalPaths.TryParseSequence(item.Key, _prefix, out var sequence) && sequence > last)
                {
                    last = sequence;
                }
            }
        }
        catch (Exception e) when (e is ObjectStoreException || (e is OperationCanceledException && !_stopping.IsCancellationRequested))
        {
            throw new WalCommitException(_namespaceId, 0, false, "listing the WAL to find the next sequence failed", e);
        }

        _highestKnown = last;
        WalLog.TailFound(_logger, _namespaceId, last + 1);
        return last + 1;
    }

    /// <summary>
    /// Seals the batch for <paramref name="sequence"/> and puts it create-if-absent (see
    /// <see cref="PutResolvedAsync"/>). The sealed buffer goes back to its pool only once the store
    /// call has settled; after a failure it is left to the GC, since a timed-out put may still read it.
    /// </summary>
    private async Task<bool> SealAndPutAsync(List<PendingWrite> batch, long sequence, DateTimeOffset committedAt, string key)
    {
        var (sealedBuffer, sealedLength) = await SealAsync(batch, sequence, committedAt, key).ConfigureAwait(false);
        var stored = await PutResolvedAsync(key, sequence, sealedBuffer.AsMemory(0, sealedLength)).ConfigureAwait(false);
        SealedBuffers.Return(sealedBuffer);
        return stored;
    }

    /// <summary>
    /// Encodes the entry from the batch's already encoded writes into a pooled buffer, seals it into a
    /// buffer of <see cref="SealedBuffers"/> and clears the plaintext. Returns the sealed buffer and length.
    /// </summary>
    private async Task<(byte[] Buffer, int Length)> SealAsync(List<PendingWrite> batch, long sequence, DateTimeOffset committedAt, string key)
    {
        using var dataKey = await _keys.GetCurrentAsync(_namespaceId, _stopping).ConfigureAwait(false);
        var header = new WalEntry
        {
            NamespaceId = _namespaceId,
            Sequence = (ulong)sequence,
            CommittedAt = Timestamp.FromDateTimeOffset(committedAt),
        };
        _encodedWrites.Clear();
        foreach (var write in batch)
        {
            _encodedWrites.Add(write.Encoded);
        }

        var length = WalEntryCodec.GetEncodedLength(header, _encodedWrites);
        var sealedLength = checked((int)SealedObjectFormat.GetSealedLength(length));
        var plaintext = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            WalEntryCodec.Encode(header, _encodedWrites, plaintext);
            var sealedBuffer = SealedBuffers.Rent(sealedLength);
            try
            {
                SealedObjectWriter.Seal(plaintext.AsSpan(0, length), sealedBuffer, key, dataKey.KeyringVersion, dataKey.DekId, dataKey.Key.Span);
                return (sealedBuffer, sealedLength);
            }
            catch
            {
                SealedBuffers.Return(sealedBuffer);
                throw;
            }
        }
        finally
        {
            _encodedWrites.Clear();
            CryptographicOperations.ZeroMemory(plaintext.AsSpan(0, length));
            ArrayPool<byte>.Shared.Return(plaintext);
        }
    }

    /// <summary>
    /// Puts the sealed entry create-if-absent. True: the store holds it (ours). False: another writer
    /// holds the sequence. Throws <see cref="WalCommitException"/> when it cannot tell or gives up.
    /// </summary>
    private async Task<bool> PutResolvedAsync(string key, long sequence, ReadOnlyMemory<byte> sealedEntry)
    {
        _unresolvedPut = false;
        for (var put = 1; ; put++)
        {
            Exception cause;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
                timeout.CancelAfter(_options.StoreCallTimeout);
                _unresolvedPut = true;
                await _store.PutAsync(key, sealedEntry, PutCondition.IfAbsent, timeout.Token).ConfigureAwait(false);
                _unresolvedPut = false;
                return true;
            }
            catch (ObjectStorePreconditionFailedException) when (put == 1)
            {
                // Nothing of ours can be there yet (a store that resolved its own lost answer says
                // precondition only after reading other bytes back): the sequence is another writer's.
                _unresolvedPut = false;
                return false;
            }
            catch (ObjectStoreCircuitOpenException e) when (put == 1)
            {
                _unresolvedPut = false;
                throw new WalCommitException(_namespaceId, sequence, false, "the object store's circuit is open", e);
            }
            catch (Exception e) when (e is ObjectStoreException || (e is OperationCanceledException && !_stopping.IsCancellationRequested))
            {
                // No answer, a time-out, an unknown outcome, or a precondition that an earlier attempt
                // of ours may have caused: only the stored bytes can tell.
                cause = e;
                WalLog.PutUnanswered(_logger, _namespaceId, sequence, e);
            }

            switch (await ReadBackAsync(key, sequence, sealedEntry, cause).ConfigureAwait(false))
            {
                case ReadBack.Ours:
                    _unresolvedPut = false;
                    return true;
                case ReadBack.Other:
                    _unresolvedPut = false;
                    return false;
                default:
                    if (put >= _options.MaxPutsPerSequence)
                    {
                        // Absent now, but an unanswered put may still land: the outcome stays unknown.
                        throw new WalCommitException(_namespaceId, sequence, true, $"{put} puts got no answer and the entry was absent when read back", cause);
                    }

                    break; // proven absent: the same bytes again, still create-if-absent
            }
        }
    }

    private async Task<ReadBack> ReadBackAsync(string key, long sequence, ReadOnlyMemory<byte> sealedEntry, Exception putFailure)
    {
        Exception last = putFailure;
        for (var attempt = 1; attempt <= _options.MaxReadBackAttempts; attempt++)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
                timeout.CancelAfter(_options.StoreCallTimeout);
                var stored = await _store.GetAsync(key, null, timeout.Token).ConfigureAwait(false);
                return stored is null ? ReadBack.Absent
                    : stored.Data.Span.SequenceEqual(sealedEntry.Span) ? ReadBack.Ours
                    : ReadBack.Other;
            }
            catch (Exception e) when (e is ObjectStoreException || (e is OperationCanceledException && !_stopping.IsCancellationRequested))
            {
                last = e;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10 * attempt), _time, _stopping).ConfigureAwait(false);
        }

        throw new WalCommitException(_namespaceId, sequence, true, "the put got no answer and the entry could not be read back", last);
    }

    private enum ReadBack
    {
        Absent,
        Ours,
        Other,
    }
}
