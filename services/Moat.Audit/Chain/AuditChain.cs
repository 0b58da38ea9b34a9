using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Moat.Internal.V1;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;
using Moat.V1;

namespace Moat.Audit;

/// <summary>
/// One writer's chain for one org (DESIGN section 10): group commit of records into sealed batches
/// stored create-if-absent, digests every N records or T seconds, resumption from the store after a
/// restart, and a loud stop instead of a fork.
/// </summary>
/// <remarks>
/// Appends queue under <see cref="_queueLock"/>; one flush loop at a time takes everything queued
/// (up to <see cref="AuditWriterOptions.MaxBatchRecords"/>) and commits it as one batch while new
/// appends queue behind it: under load, batches grow and the cost per append falls. Chain state
/// (count, last hash, batch and digest numbers) changes only under <see cref="_commitLock"/>.
/// Sequence numbers are assigned when a batch is built, so a batch that fails leaves no gap.
/// </remarks>
internal sealed class AuditChain
{
    private readonly IObjectStore _store;
    private readonly IAuditKeyProvider _keys;
    private readonly IAuditDigestSigner _signer;
    private readonly AuditWriterOptions _options;
    private readonly TimeProvider _time;
    private readonly string _org;
    private readonly string _writer;
    private readonly Lock _queueLock = new();
    private readonly SemaphoreSlim _commitLock = new(1, 1);
    private readonly List<PendingRecord> _pending = [];
    private bool _flushing;
    private Task _flushLoop = Task.CompletedTask;

    // Chain state: only under _commitLock.
    private bool _opened;
    private long _count;
    private byte[] _lastHash = AuditHashes.Genesis.ToArray();
    private long _batchCount;
    private DateTimeOffset? _lastRecordTime;
    private long _digestCount;
    private byte[] _lastDigestHash = [];
    private long _digestRecordCount;
    private DateTimeOffset? _firstTimeSinceDigest;
    private DateTimeOffset _lastDigestAt;
    private InDoubtBatch? _inDoubt;
    private volatile AuditChainConflictException? _conflict;
    private int _digestFailures;

    public AuditChain(IObjectStore store, IAuditKeyProvider keys, IAuditDigestSigner signer, AuditWriterOptions options, TimeProvider time,
        string org)
    {
        _store = store;
        _keys = keys;
        _signer = signer;
        _options = options;
        _time = time;
        _org = org;
        _writer = options.WriterId.Value;
        _lastDigestAt = time.GetUtcNow();
    }

    public long Batches => Volatile.Read(ref _batchCount);

    public long Records => Volatile.Read(ref _count);

    public long Digests => Volatile.Read(ref _digestCount);

    public int DigestFailures => Volatile.Read(ref _digestFailures);

    /// <summary>Queues a record; completes when the batch holding it is stored.</summary>
    public Task<AuditReceipt> AppendAsync(PendingRecord record)
    {
        bool start;
        lock (_queueLock)
        {
            if (_conflict is { } conflict)
            {
                return Task.FromException<AuditReceipt>(conflict);
            }

            _pending.Add(record);
            start = !_flushing;
            if (start)
            {
                _flushing = true;
            }
        }

        if (start)
        {
            _flushLoop = Task.Run(FlushLoopAsync);
        }

        return record.Completion.Task;
    }

    /// <summary>Waits until everything queued before the call is committed (or failed).</summary>
    public async Task DrainAsync()
    {
        while (true)
        {
            Task loop;
            lock (_queueLock)
            {
                if (!_flushing)
                {
                    return;
                }

                loop = _flushLoop;
            }

            await loop.ConfigureAwait(false);
        }
    }

    /// <summary>Signs and stores a digest when records are not yet covered by one and <paramref name="force"/> or the interval passed.</summary>
    public async Task DigestIfDueAsync(bool force, CancellationToken cancellationToken)
    {
        await _commitLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_opened && _conflict is null)
            {
                await ResolveInDoubtAsync().ConfigureAwait(false);
            }

            var due = force || _time.GetUtcNow() - _lastDigestAt >= _options.DigestInterval;
            if (_opened && _conflict is null && due && _count > _digestRecordCount)
            {
                await DigestAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _commitLock.Release();
        }
    }

    private async Task FlushLoopAsync()
    {
        while (true)
        {
            if (_options.GroupCommitWindow > TimeSpan.Zero)
            {
                await Task.Delay(_options.GroupCommitWindow).ConfigureAwait(false);
            }

            List<PendingRecord> batch;
            lock (_queueLock)
            {
                if (_pending.Count == 0)
                {
                    _flushing = false;
                    return;
                }

                var take = Math.Min(_pending.Count, _options.MaxBatchRecords);
                batch = _pending.GetRange(0, take);
                _pending.RemoveRange(0, take);
            }

            var digestDue = false;
            await _commitLock.WaitAsync().ConfigureAwait(false);
            try
            {
                var receipts = await CommitAsync(batch).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(receipts[i]);
                }

                digestDue = _count - _digestRecordCount >= _options.DigestEveryRecords;
            }
            catch (Exception e)
            {
                foreach (var record in batch)
                {
                    record.Completion.TrySetException(e);
                }
            }
            finally
            {
                _commitLock.Release();
            }

            if (digestDue)
            {
                try
                {
                    await DigestIfDueAsync(force: true, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not AuditChainConflictException)
                {
                    // A digest is retried at the next trigger; the records are stored.
                    Interlocked.Increment(ref _digestFailures);
                }
            }
        }
    }

    private async Task<AuditReceipt[]> CommitAsync(List<PendingRecord> batch)
    {
        await EnsureOpenAsync(CancellationToken.None).ConfigureAwait(false);
        ThrowIfConflicted();
        await ResolveInDoubtAsync().ConfigureAwait(false);

        var batchSequence = _batchCount + 1;
        var message = new AuditBatch
        {
            FormatVersion = AuditFormat.CurrentVersion,
            Org = _org,
            Writer = _writer,
            BatchSequence = (ulong)batchSequence,
            FirstRecordSequence = (ulong)(_count + 1),
        };
        var receipts = new AuditReceipt[batch.Count];
        var previous = _lastHash;
        var sequence = _count;
        DateTimeOffset? firstTime = null;
        DateTimeOffset lastTime = default;
        for (var i = 0; i < batch.Count; i++)
        {
            var pending = batch[i];
            sequence++;
            var record = new AuditRecord
            {
                FormatVersion = AuditFormat.CurrentVersion,
                Org = _org,
                Writer = _writer,
                Sequence = (ulong)sequence,
                PreviousHash = ByteString.CopyFrom(previous),
                TimeUnixMs = pending.Time.ToUnixTimeMilliseconds(),
                Event = AuditEventCodec.ToProto(pending.Event),
                Count = (ulong)pending.Count,
                WindowStartUnixMs = pending.WindowStart?.ToUnixTimeMilliseconds() ?? 0,
                WindowEndUnixMs = pending.WindowEnd?.ToUnixTimeMilliseconds() ?? 0,
            };
            var bytes = record.ToByteString();
            message.Records.Add(bytes);
            previous = AuditHashes.Of(bytes.Span);
            receipts[i] = new AuditReceipt(_org, _writer, sequence, batchSequence, previous);
            firstTime ??= pending.Time;
            lastTime = pending.Time;
        }

        var path = AuditPaths.Batch(_org, _writer, batchSequence);
        var key = await _keys.GetSealingKeyAsync(_org, CancellationToken.None).ConfigureAwait(false);
        var sealedBatch = SealedObjectWriter.Seal(message.ToByteArray(), path, key.KeyringVersion, key.DekId, key.Key.Span);
        var after = new ChainHead(sequence, previous, batchSequence, lastTime, firstTime);
        try
        {
            await _store.PutAsync(path, sealedBatch, PutCondition.IfAbsent, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ObjectStorePreconditionFailedException e)
        {
            throw Conflict($"batch {batchSequence} already exists: another process writes this chain with the same writer id", e);
        }
        catch (Exception e) when (_conflict is null && e is not OperationCanceledException)
        {
            // Maybe stored, maybe not: the next commit (or flush) writes exactly these bytes first, so the chain never forks.
            _inDoubt = new InDoubtBatch(path, sealedBatch, after);
            throw new AuditBatchInDoubtException(
                $"Audit chain '{_writer}' of org '{_org}': storing batch {batchSequence} failed; it is written again before the next batch.", e);
        }

        Apply(after);
        return receipts;
    }

    /// <summary>Stores the batch whose put failed with an unknown outcome (same bytes, same number), before anything else.</summary>
    private async Task ResolveInDoubtAsync()
    {
        if (_inDoubt is { } inDoubt)
        {
            await PutOnceAsync(inDoubt.Path, inDoubt.Sealed).ConfigureAwait(false);
            Apply(inDoubt.After);
            _inDoubt = null;
        }
    }

    /// <summary>Puts bytes create-if-absent; a precondition failure is fine only when the stored bytes are exactly these.</summary>
    private async Task PutOnceAsync(string path, byte[] bytes)
    {
        try
        {
            await _store.PutAsync(path, bytes, PutCondition.IfAbsent, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ObjectStorePreconditionFailedException e)
        {
            var stored = await _store.GetAsync(path, null, CancellationToken.None).ConfigureAwait(false);
            if (stored is null || !stored.Data.Span.SequenceEqual(bytes))
            {
                throw Conflict($"'{path}' holds another object than this writer wrote", e);
            }
        }
    }

    private void Apply(ChainHead head)
    {
        Volatile.Write(ref _count, head.Count);
        _lastHash = head.LastHash;
        Volatile.Write(ref _batchCount, head.Batches);
        _lastRecordTime = head.LastTime;
        _firstTimeSinceDigest ??= head.FirstTime;
    }

    private async Task DigestAsync(CancellationToken cancellationToken)
    {
        var body = NewDigestBody();
        SignedAuditDigest signed;
        try
        {
            signed = await _signer.SignDigestAsync(_org, body, cancellationToken).ConfigureAwait(false);
        }
        catch (AuditDigestConflictException e) when (e.RegisteredHead is not null)
        {
            if (!await TryAdoptRegisteredHeadAsync(e.RegisteredHead).ConfigureAwait(false))
            {
                throw Conflict("the signer's registered digest is not this writer's", e);
            }

            // The signer holds a digest this writer signed but did not store before it stopped: stored now; sign again on top.
            body = NewDigestBody();
            signed = await _signer.SignDigestAsync(_org, body, cancellationToken).ConfigureAwait(false);
        }

        var signedBody = ParseDigest(signed);
        if (signedBody is null || !string.Equals(signedBody.Org, body.Org, StringComparison.Ordinal)
            || !string.Equals(signedBody.Writer, body.Writer, StringComparison.Ordinal) || signedBody.RecordCount != body.RecordCount
            || signedBody.LastRecordHash != body.LastRecordHash || signedBody.PreviousDigestHash != body.PreviousDigestHash)
        {
            throw new AuditException("The signer returned a digest that is not the one asked for.");
        }

        await StoreDigestAsync(signed, signedBody).ConfigureAwait(false);
    }

    private AuditDigestBody NewDigestBody() => new()
    {
        Org = _org,
        Region = _store.Region,
        Writer = _writer,
        RecordCount = (ulong)_count,
        LastRecordHash = ByteString.CopyFrom(_lastHash),
        FirstTime = Timestamp.FromDateTimeOffset(_firstTimeSinceDigest ?? _lastRecordTime ?? _time.GetUtcNow()),
        LastTime = Timestamp.FromDateTimeOffset(_lastRecordTime ?? _time.GetUtcNow()),
        PreviousDigestHash = ByteString.CopyFrom(_lastDigestHash),
    };

    private async Task<bool> TryAdoptRegisteredHeadAsync(SignedAuditDigest head)
    {
        var body = ParseDigest(head);
        if (body is null || !string.Equals(body.Writer, _writer, StringComparison.Ordinal) || !body.PreviousDigestHash.Span.SequenceEqual(_lastDigestHash)
            || body.RecordCount > (ulong)_count || body.RecordCount < (ulong)_digestRecordCount
            || (body.RecordCount == (ulong)_count && !body.LastRecordHash.Span.SequenceEqual(_lastHash)))
        {
            return false;
        }

        await StoreDigestAsync(head, body).ConfigureAwait(false);
        return true;
    }

    private async Task StoreDigestAsync(SignedAuditDigest signed, AuditDigestBody body)
    {
        var sequence = _digestCount + 1;
        await PutOnceAsync(AuditPaths.Digest(_org, _writer, sequence), signed.ToByteArray()).ConfigureAwait(false);
        Volatile.Write(ref _digestCount, sequence);
        _lastDigestHash = AuditHashes.Of(signed.Body.Span);
        _digestRecordCount = (long)body.RecordCount;
        _firstTimeSinceDigest = null;
        _lastDigestAt = _time.GetUtcNow();
    }

    /// <summary>Resumes the chain from the store: the last batch (verified inside) and the last digest.</summary>
    private async Task EnsureOpenAsync(CancellationToken cancellationToken)
    {
        if (_opened)
        {
            return;
        }

        var lastBatch = await LastSequenceAsync(AuditPaths.BatchPrefix(_org, _writer), cancellationToken).ConfigureAwait(false);
        if (lastBatch > 0)
        {
            var keys = _keys.GetDataKeySource(_org);
            await ResumeFromBatchAsync(lastBatch, keys, cancellationToken).ConfigureAwait(false);
        }

        var lastDigest = await LastSequenceAsync(AuditPaths.DigestPrefix(_org, _writer), cancellationToken).ConfigureAwait(false);
        if (lastDigest > 0)
        {
            var path = AuditPaths.Digest(_org, _writer, lastDigest);
            var stored = await _store.GetAsync(path, null, cancellationToken).ConfigureAwait(false);
            var signed = stored is null ? null : TryParseSigned(stored.Data);
            var body = signed is null ? null : ParseDigest(signed);
            if (body is null || body.RecordCount > (ulong)_count
                || (body.RecordCount == (ulong)_count && !body.LastRecordHash.Span.SequenceEqual(_lastHash)))
            {
                throw new AuditChainCorruptException($"Audit chain '{_writer}' of org '{_org}': digest {lastDigest} does not match the stored chain; refusing to continue it.");
            }

            _digestCount = lastDigest;
            _lastDigestHash = AuditHashes.Of(signed!.Body.Span);
            _digestRecordCount = (long)body.RecordCount;
            if (_count > _digestRecordCount)
            {
                var digestEnd = body.LastTime.ToDateTimeOffset();
                _firstTimeSinceDigest = _firstTimeSinceDigest is { } t && t < digestEnd ? t : digestEnd;
            }
            else
            {
                _firstTimeSinceDigest = null;
            }
        }

        _opened = true;
    }

    private async Task ResumeFromBatchAsync(long lastBatch, IDataKeySource keys, CancellationToken cancellationToken)
    {
        var read = await AuditBatchCodec.ReadAsync(_store, _org, _writer, lastBatch, keys, cancellationToken).ConfigureAwait(false);
        if (read.Batch is not { } batch)
        {
            throw new AuditChainCorruptException($"Audit chain '{_writer}' of org '{_org}': batch {lastBatch}: {read.Problem}; refusing to continue it.");
        }

        var expected = (long)batch.FirstRecordSequence;
        byte[]? previous = null;
        AuditRecord? last = null;
        DateTimeOffset? first = null;
        foreach (var bytes in batch.Records)
        {
            var record = AuditBatchCodec.TryParseRecord(bytes);
            if (record is null || (long)record.Sequence != expected || (previous is not null && !record.PreviousHash.Span.SequenceEqual(previous))
                || !string.Equals(record.Writer, _writer, StringComparison.Ordinal) || !string.Equals(record.Org, _org, StringComparison.Ordinal))
            {
                throw new AuditChainCorruptException(string.Create(CultureInfo.InvariantCulture,
                    $"Audit chain '{_writer}' of org '{_org}': record {expected} in batch {lastBatch} does not link; refusing to continue it."));
            }

            first ??= DateTimeOffset.FromUnixTimeMilliseconds(record.TimeUnixMs);
            previous = AuditHashes.Of(bytes.Span);
            last = record;
            expected++;
        }

        _count = (long)last!.Sequence;
        _lastHash = previous!;
        _batchCount = lastBatch;
        _lastRecordTime = DateTimeOffset.FromUnixTimeMilliseconds(last.TimeUnixMs);
        _firstTimeSinceDigest = first;
    }

    private async Task<long> LastSequenceAsync(string prefix, CancellationToken cancellationToken)
    {
        string? last = null;
        await foreach (var item in _store.ListAsync(prefix, null, cancellationToken).ConfigureAwait(false))
        {
            last = item.Key;
        }

        if (last is null)
        {
            return 0;
        }

        return AuditPaths.TrySequence(last)
            ?? throw new AuditChainCorruptException($"Audit chain '{_writer}' of org '{_org}': unexpected object '{last}'.");
    }

    private void ThrowIfConflicted()
    {
        if (_conflict is { } conflict)
        {
            throw conflict;
        }
    }

    private AuditChainConflictException Conflict(string what, Exception inner)
    {
        var conflict = new AuditChainConflictException($"Audit chain '{_writer}' of org '{_org}': {what}. The writer stops rather than fork the chain.", inner);
        lock (_queueLock)
        {
            _conflict ??= conflict;
            foreach (var pending in _pending)
            {
                pending.Completion.TrySetException(_conflict);
            }

            _pending.Clear();
        }

        return _conflict;
    }

    internal static SignedAuditDigest? TryParseSigned(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            return SignedAuditDigest.Parser.ParseFrom(bytes.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    internal static AuditDigestBody? ParseDigest(SignedAuditDigest signed)
    {
        try
        {
            return AuditDigestBody.Parser.ParseFrom(signed.Body);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private sealed record ChainHead(long Count, byte[] LastHash, long Batches, DateTimeOffset LastTime, DateTimeOffset? FirstTime);

    private sealed record InDoubtBatch(string Path, byte[] Sealed, ChainHead After);
}
