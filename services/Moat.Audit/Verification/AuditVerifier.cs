using System.Globalization;
using Google.Protobuf;
using Moat.Internal.V1;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;
using Moat.V1;

namespace Moat.Audit;

/// <summary>
/// Offline verification of an org's audit log (DESIGN section 10; <c>moat audit verify</c>). Checks,
/// for every writer: batch numbers contiguous from 1, every batch unseals under the org's audit
/// keyring at its own path and names its org, writer and number, records numbered 1, 2, 3... each
/// naming the hash of the one before; digests contiguous, signed by a trusted key, chained, and each
/// matching the chain's hash at its count. Then checkpoints: contiguous, signed, chained, and every
/// writer each names exists and reaches the named digest (a removed chain is found). With
/// <see cref="AuditVerifyOptions.Since"/>: the saved checkpoint is still stored as saved and every
/// chain reaches it (removal at the tail is found).
/// </summary>
public static class AuditVerifier
{
    public static async Task<AuditVerificationResult> VerifyAsync(IObjectStore store, string org, IDataKeySource keys, AuditTrustedKeys trusted,
        AuditVerifyOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(trusted);
        AuditOrg.Validate(org);
        options ??= new AuditVerifyOptions();

        var problems = new List<AuditBrokenLink>();
        var layout = await ListAsync(store, org, problems, cancellationToken).ConfigureAwait(false);
        var chains = new SortedDictionary<string, WriterChain>(StringComparer.Ordinal);
        var records = new List<AuditStoredRecord>();
        var summaries = new List<AuditWriterSummary>();
        foreach (var writer in layout.Writers.Keys.Concat(layout.Digests.Keys).Distinct().Order(StringComparer.Ordinal))
        {
            var chain = new WriterChain(writer);
            chains[writer] = chain;
            await VerifyDigestsAsync(store, org, chain, layout.Digests.GetValueOrDefault(writer) ?? [], trusted, problems, cancellationToken)
                .ConfigureAwait(false);
            await VerifyBatchesAsync(store, org, chain, layout.Writers.GetValueOrDefault(writer) ?? [], keys, problems,
                options.CollectRecords ? records : null, cancellationToken).ConfigureAwait(false);
            foreach (var digest in chain.Digests.Where(d => d.RecordCount > chain.RecordCount))
            {
                problems.Add(new(writer, chain.RecordCount + 1, AuditLinkFailure.ChainTruncated, string.Create(CultureInfo.InvariantCulture,
                    $"digest {digest.Sequence} covers {digest.RecordCount} records; the chain holds {chain.RecordCount}")));
            }

            summaries.Add(new AuditWriterSummary(writer, chain.RecordCount, chain.Batches, chain.Digests.Count, chain.EventCount));
        }

        var (checkpointCount, latest, checkpointBodies) =
            await VerifyCheckpointsAsync(store, org, layout.Checkpoints, chains, trusted, problems, cancellationToken).ConfigureAwait(false);
        if (options.Since is { } since)
        {
            VerifySince(since, org, checkpointBodies, chains, trusted, problems);
        }

        records.Sort(static (a, b) =>
        {
            var c = a.Time.CompareTo(b.Time);
            if (c == 0)
            {
                c = string.CompareOrdinal(a.Writer, b.Writer);
            }

            return c != 0 ? c : a.Sequence.CompareTo(b.Sequence);
        });
        return new AuditVerificationResult(problems, summaries, checkpointCount, latest, records);
    }

    private static async Task<Layout> ListAsync(IObjectStore store, string org, List<AuditBrokenLink> problems, CancellationToken cancellationToken)
    {
        var layout = new Layout();
        var prefix = AuditPaths.OrgPrefix(org);
        await foreach (var item in store.ListAsync(prefix, null, cancellationToken).ConfigureAwait(false))
        {
            var rest = item.Key[prefix.Length..].Split('/');
            var sequence = AuditPaths.TrySequence(item.Key);
            if (rest is ["registry"])
            {
                continue;
            }

            if (rest is ["checkpoint", _] && sequence is { } c)
            {
                layout.Checkpoints.Add(c);
            }
            else if (rest is [var writer, "batch", _] && sequence is { } b && AuditWriterId.TryParse(writer, out _))
            {
                Add(layout.Writers, writer, b);
            }
            else if (rest is [var w, "digest", _] && sequence is { } d && AuditWriterId.TryParse(w, out _))
            {
                Add(layout.Digests, w, d);
            }
            else
            {
                problems.Add(new(null, 0, AuditLinkFailure.UnexpectedObject, $"'{item.Key}' is not part of the audit layout"));
            }
        }

        return layout;

        static void Add(Dictionary<string, List<long>> map, string writer, long sequence)
        {
            if (!map.TryGetValue(writer, out var list))
            {
                map[writer] = list = [];
            }

            list.Add(sequence);
        }
    }

    private static async Task VerifyDigestsAsync(IObjectStore store, string org, WriterChain chain, List<long> sequences, AuditTrustedKeys trusted,
        List<AuditBrokenLink> problems, CancellationToken cancellationToken)
    {
        byte[] previousHash = [];
        ulong previousCount = 0;
        var max = sequences.Count == 0 ? 0 : sequences.Max();
        for (long seq = 1; seq <= max; seq++)
        {
            var stored = await store.GetAsync(AuditPaths.Digest(org, chain.Writer, seq), null, cancellationToken).ConfigureAwait(false);
            var signed = stored is null ? null : AuditChain.TryParseSigned(stored.Data);
            var body = signed is null ? null : AuditChain.ParseDigest(signed);
            if (body is null || !string.Equals(body.Org, org, StringComparison.Ordinal) || !string.Equals(body.Writer, chain.Writer, StringComparison.Ordinal))
            {
                problems.Add(new(chain.Writer, seq, AuditLinkFailure.DigestUnreadable,
                    stored is null ? "digest missing" : "digest does not parse or names another org or writer"));
                continue;
            }

            if (!trusted.Verify(signed!.SigningKeyId, signed.Body.Span, signed.Signature.Span))
            {
                problems.Add(new(chain.Writer, seq, AuditLinkFailure.DigestSignature, $"signature does not verify under trusted key '{signed.SigningKeyId}'"));
            }

            if (!body.PreviousDigestHash.Span.SequenceEqual(previousHash) || body.RecordCount <= previousCount)
            {
                problems.Add(new(chain.Writer, seq, AuditLinkFailure.DigestChain, "digest does not continue the previous digest"));
            }

            var hash = AuditHashes.Of(signed.Body.Span);
            chain.Digests.Add(new DigestInfo(seq, (long)body.RecordCount, body.LastRecordHash.ToByteArray(), hash));
            previousHash = hash;
            previousCount = body.RecordCount;
        }
    }

    private static async Task VerifyBatchesAsync(IObjectStore store, string org, WriterChain chain, List<long> sequences, IDataKeySource keys,
        List<AuditBrokenLink> problems, List<AuditStoredRecord>? collect, CancellationToken cancellationToken)
    {
        var digestsByCount = chain.Digests.GroupBy(d => d.RecordCount).ToDictionary(g => g.Key, g => g.ToList());
        var max = sequences.Count == 0 ? 0 : sequences.Max();
        byte[] previous = AuditHashes.Genesis.ToArray();
        long expected = 1;
        for (long b = 1; b <= max; b++)
        {
            var read = await AuditBatchCodec.ReadAsync(store, org, chain.Writer, b, keys, cancellationToken).ConfigureAwait(false);
            if (read.Batch is not { } batch)
            {
                problems.Add(new(chain.Writer, b, read.Problem == "batch missing" ? AuditLinkFailure.BatchMissing : AuditLinkFailure.BatchUnreadable,
                    $"batch {b}: {read.Problem}"));
                continue;
            }

            chain.Batches++;
            foreach (var bytes in batch.Records)
            {
                var record = AuditBatchCodec.TryParseRecord(bytes);
                if (record is null)
                {
                    problems.Add(new(chain.Writer, expected, AuditLinkFailure.RecordUnreadable, $"a record of batch {b} does not parse"));
                    continue;
                }

                var hash = AuditHashes.Of(bytes.Span);
                var sequence = (long)record.Sequence;
                if (!string.Equals(record.Org, org, StringComparison.Ordinal) || !string.Equals(record.Writer, chain.Writer, StringComparison.Ordinal))
                {
                    problems.Add(new(chain.Writer, sequence, AuditLinkFailure.RecordIdentity, $"record in batch {b} names another org or writer"));
                }
                else if (sequence != expected)
                {
                    problems.Add(new(chain.Writer, expected, AuditLinkFailure.RecordOutOfSequence, string.Create(CultureInfo.InvariantCulture,
                        $"expected record {expected} in batch {b}, found record {sequence}")));
                }
                else if (!record.PreviousHash.Span.SequenceEqual(previous))
                {
                    problems.Add(new(chain.Writer, sequence, AuditLinkFailure.RecordLinkBroken,
                        $"record's previous hash is not the hash of record {sequence - 1}"));
                }

                if (digestsByCount.TryGetValue(sequence, out var digests))
                {
                    foreach (var digest in digests.Where(d => !AuditHashes.AreEqual(d.LastRecordHash, hash)))
                    {
                        problems.Add(new(chain.Writer, sequence, AuditLinkFailure.DigestMismatch,
                            $"digest {digest.Sequence} signed another hash for record {sequence}"));
                    }
                }

                chain.EventCount += (long)record.Count;
                if (collect is not null)
                {
                    Collect(collect, org, chain.Writer, record, hash, problems);
                }

                // Resynchronise on what is stored, so one broken link is reported once, not for every record after it.
                previous = hash;
                expected = sequence + 1;
                chain.RecordCount = Math.Max(chain.RecordCount, sequence);
                if (digestsByCount.ContainsKey(sequence))
                {
                    chain.HashAt[sequence] = hash;
                }
            }
        }
    }

    private static void Collect(List<AuditStoredRecord> collect, string org, string writer, AuditRecord record, byte[] hash,
        List<AuditBrokenLink> problems)
    {
        try
        {
            var windowed = record.WindowStartUnixMs != 0 || record.WindowEndUnixMs != 0;
            collect.Add(new AuditStoredRecord(org, writer, (long)record.Sequence, DateTimeOffset.FromUnixTimeMilliseconds(record.TimeUnixMs),
                AuditEventCodec.FromProto(record.Event ?? throw new ArgumentException("no event"), org), (long)record.Count,
                windowed ? DateTimeOffset.FromUnixTimeMilliseconds(record.WindowStartUnixMs) : null,
                windowed ? DateTimeOffset.FromUnixTimeMilliseconds(record.WindowEndUnixMs) : null, hash));
        }
        catch (Exception e) when (e is ArgumentException or OverflowException)
        {
            problems.Add(new(writer, (long)record.Sequence, AuditLinkFailure.RecordUnreadable, "record does not hold a valid event"));
        }
    }

    private static async Task<(long Count, SignedAuditCheckpoint? Latest, Dictionary<long, ByteString> Bodies)> VerifyCheckpointsAsync(
        IObjectStore store, string org, List<long> sequences, SortedDictionary<string, WriterChain> chains, AuditTrustedKeys trusted,
        List<AuditBrokenLink> problems, CancellationToken cancellationToken)
    {
        var bodies = new Dictionary<long, ByteString>();
        SignedAuditCheckpoint? latest = null;
        byte[] previousHash = [];
        var max = sequences.Count == 0 ? 0 : sequences.Max();
        for (long seq = 1; seq <= max; seq++)
        {
            var stored = await store.GetAsync(AuditPaths.Checkpoint(org, seq), null, cancellationToken).ConfigureAwait(false);
            SignedAuditCheckpoint? signed = null;
            AuditCheckpointBody? body = null;
            try
            {
                if (stored is not null)
                {
                    signed = SignedAuditCheckpoint.Parser.ParseFrom(stored.Data.Span);
                    body = AuditCheckpointBody.Parser.ParseFrom(signed.Body);
                }
            }
            catch (InvalidProtocolBufferException)
            {
                body = null;
            }

            if (body is null || !string.Equals(body.Org, org, StringComparison.Ordinal) || body.Sequence != (ulong)seq)
            {
                problems.Add(new(null, seq, AuditLinkFailure.CheckpointUnreadable,
                    stored is null ? "checkpoint missing" : "checkpoint does not parse or names another org or number"));
                continue;
            }

            if (!trusted.Verify(signed!.SigningKeyId, signed.Body.Span, signed.Signature.Span))
            {
                problems.Add(new(null, seq, AuditLinkFailure.CheckpointSignature, $"signature does not verify under trusted key '{signed.SigningKeyId}'"));
            }

            if (!body.PreviousCheckpointHash.Span.SequenceEqual(previousHash))
            {
                problems.Add(new(null, seq, AuditLinkFailure.CheckpointChain, "checkpoint does not name the previous checkpoint's hash"));
            }

            CheckHeads(body, chains, problems, $"checkpoint {seq}", AuditLinkFailure.WriterBehindCheckpoint);
            previousHash = AuditHashes.Of(signed.Body.Span);
            bodies[seq] = signed.Body;
            latest = signed;
        }

        return (max, latest, bodies);
    }

    private static void VerifySince(SignedAuditCheckpoint since, string org, Dictionary<long, ByteString> stored, SortedDictionary<string, WriterChain> chains,
        AuditTrustedKeys trusted, List<AuditBrokenLink> problems)
    {
        AuditCheckpointBody body;
        try
        {
            body = AuditCheckpointBody.Parser.ParseFrom(since.Body);
        }
        catch (InvalidProtocolBufferException)
        {
            problems.Add(new(null, 0, AuditLinkFailure.SinceCheckpointMissing, "the saved checkpoint does not parse"));
            return;
        }

        if (!trusted.Verify(since.SigningKeyId, since.Body.Span, since.Signature.Span) || !string.Equals(body.Org, org, StringComparison.Ordinal))
        {
            problems.Add(new(null, (long)body.Sequence, AuditLinkFailure.SinceCheckpointMissing,
                "the saved checkpoint is not signed by a trusted key for this org"));
            return;
        }

        // The heads first: they name the writer and record where the tail was cut.
        CheckHeads(body, chains, problems, "the saved checkpoint", AuditLinkFailure.ChainTruncated);
        if (!stored.TryGetValue((long)body.Sequence, out var bytes) || bytes != since.Body)
        {
            problems.Add(new(null, (long)body.Sequence, AuditLinkFailure.SinceCheckpointMissing,
                "the store no longer holds the saved checkpoint as saved (removed or rewritten at the tail)"));
        }
    }

    private static void CheckHeads(AuditCheckpointBody body, SortedDictionary<string, WriterChain> chains, List<AuditBrokenLink> problems,
        string what, AuditLinkFailure behind)
    {
        foreach (var head in body.Writers)
        {
            if (!chains.TryGetValue(head.Writer, out var chain) || chain.Batches == 0)
            {
                problems.Add(new(head.Writer, (long)head.RecordCount, AuditLinkFailure.WriterMissing,
                    $"{what} names writer '{head.Writer}', whose chain is not in the store"));
                continue;
            }

            var digest = chain.Digests.FirstOrDefault(d => AuditHashes.AreEqual(d.BodyHash, head.DigestHash.Span));
            var count = (long)head.RecordCount;
            if (digest is null || chain.RecordCount < count || !chain.HashAt.TryGetValue(count, out var hash)
                || !AuditHashes.AreEqual(hash, digest.LastRecordHash))
            {
                problems.Add(new(head.Writer, Math.Min(chain.RecordCount + 1, count), behind, string.Create(CultureInfo.InvariantCulture,
                    $"{what} names its digest at record {count}; the chain holds {chain.RecordCount} records{(digest is null ? " and not that digest" : string.Empty)}")));
            }
        }
    }

    private sealed class Layout
    {
        public Dictionary<string, List<long>> Writers { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, List<long>> Digests { get; } = new(StringComparer.Ordinal);

        public List<long> Checkpoints { get; } = [];
    }

    private sealed class WriterChain(string writer)
    {
        public string Writer { get; } = writer;

        public List<DigestInfo> Digests { get; } = [];

        public Dictionary<long, byte[]> HashAt { get; } = [];

        public long RecordCount { get; set; }

        public long Batches { get; set; }

        public long EventCount { get; set; }
    }

    private sealed record DigestInfo(long Sequence, long RecordCount, byte[] LastRecordHash, byte[] BodyHash);
}
