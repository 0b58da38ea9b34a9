using Moat.Internal.V1;
using Moat.V1;

namespace Moat.Segments.Indexing;

/// <summary>
/// Applies WAL entries in sequence order onto a document set (pure, no I/O): an upsert replaces the
/// document, a patch merges attributes into the current document (null removes; vectors kept; a
/// patch of an absent id is skipped), a delete removes it. The last write by sequence wins.
/// <paramref name="baseLookup"/> gives the state before the first entry (the live segments), so a
/// patch of an older document produces a full row and a delete produces a tombstone only when the
/// id may exist in an older segment. A write whose idempotency key was already applied earlier in
/// the same fold is skipped (defence in depth: the write path de-duplicates before committing).
/// </summary>
public sealed class WalFold
{
    private readonly Func<DocKey, FoldedDocument?>? baseLookup;
    private readonly Dictionary<DocKey, (Document? Doc, ulong Seq)> state = [];
    private readonly List<IdempotencyRecord> keys = [];
    private readonly HashSet<string> seenKeys = new(StringComparer.Ordinal);
    private ulong minSeq;
    private ulong maxSeq;
    private int skipped;

    public WalFold(Func<DocKey, FoldedDocument?>? baseLookup = null) => this.baseLookup = baseLookup;

    /// <summary>Folds entries (sorted here by sequence; duplicate sequences are rejected).</summary>
    public static FoldResult Fold(IEnumerable<WalEntry> entries, Func<DocKey, FoldedDocument?>? baseLookup = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var fold = new WalFold(baseLookup);
        foreach (var e in entries.OrderBy(e => e.Sequence))
        {
            fold.Apply(e);
        }

        return fold.Complete();
    }

    /// <summary>Applies one entry; its sequence must be above every sequence applied so far.</summary>
    public void Apply(WalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var seq = entry.Sequence;
        if (seq == 0 || (maxSeq != 0 && seq <= maxSeq))
        {
            throw new ArgumentException($"WAL entry sequence {seq} is not above the last applied sequence {maxSeq}.", nameof(entry));
        }

        if (minSeq == 0)
        {
            minSeq = seq;
        }

        maxSeq = seq;
        foreach (var write in entry.Writes)
        {
            if (write.IdempotencyKey.Length > 0)
            {
                if (!seenKeys.Add(write.IdempotencyKey))
                {
                    skipped++;
                    continue;
                }

                keys.Add(new IdempotencyRecord(write.IdempotencyKey, seq));
            }

            foreach (var op in write.Operations)
            {
                ApplyOperation(op, seq);
            }
        }
    }

    private void ApplyOperation(WalOperation op, ulong seq)
    {
        switch (op.OpCase)
        {
            case WalOperation.OpOneofCase.Upsert:
                {
                    var key = DocKey.From(op.Upsert.Id);
                    var doc = op.Upsert.Clone();
                    doc.Id = key.ToDocumentId();
                    RemoveNulls(doc);
                    state[key] = (doc, seq);
                    break;
                }

            case WalOperation.OpOneofCase.Patch:
                {
                    var key = DocKey.From(op.Patch.Id);
                    var current = Current(key);
                    if (current is null)
                    {
                        break;
                    }

                    var merged = current.Clone();
                    foreach (var (name, value) in op.Patch.Attributes)
                    {
                        if (IsNull(value))
                        {
                            merged.Attributes.Remove(name);
                        }
                        else
                        {
                            merged.Attributes[name] = value.Clone();
                        }
                    }

                    state[key] = (merged, seq);
                    break;
                }

            case WalOperation.OpOneofCase.Delete:
                {
                    var key = DocKey.From(op.Delete);
                    state[key] = (null, seq);
                    break;
                }

            default:
                throw new SegmentFormatException("A WAL operation has no kind.");
        }
    }

    private Document? Current(DocKey key)
    {
        if (state.TryGetValue(key, out var slot))
        {
            return slot.Doc;
        }

        return baseLookup?.Invoke(key)?.Document;
    }

    /// <summary>The documents and tombstones folded so far.</summary>
    public FoldResult Complete()
    {
        var docs = new List<FoldedDocument>(state.Count);
        var tombs = new List<Tombstone>();
        foreach (var (key, (doc, seq)) in state)
        {
            if (doc is not null)
            {
                docs.Add(new FoldedDocument(key, doc, seq));
            }
            else if (baseLookup is null || baseLookup(key) is not null)
            {
                tombs.Add(new Tombstone(key, seq));
            }
        }

        docs.Sort((a, b) => a.Key.CompareTo(b.Key));
        tombs.Sort((a, b) => a.Key.CompareTo(b.Key));
        return new FoldResult(docs, tombs, minSeq, maxSeq, [.. keys], skipped);
    }

    internal static bool IsNull(AttributeValue? v) =>
        v is null || v.ValueCase is AttributeValue.ValueOneofCase.None or AttributeValue.ValueOneofCase.NullValue;

    private static void RemoveNulls(Document doc)
    {
        List<string>? nulls = null;
        foreach (var (name, value) in doc.Attributes)
        {
            if (IsNull(value))
            {
                (nulls ??= []).Add(name);
            }
        }

        if (nulls is not null)
        {
            foreach (var n in nulls)
            {
                doc.Attributes.Remove(n);
            }
        }
    }
}
