using System.Security.Cryptography;
using Moat.Indexer.Indexing;
using Moat.Internal.V1;
using Moat.Segments;
using Moat.Storage.Sealing;
using Moat.V1;
using Moat.Wal;

namespace Moat.Indexer.Racer;

/// <summary>
/// The test workload shared by the racer process and the tests (linked source): a fixed schema, a
/// seeded generator of writes over a small id space (so upserts, patches and deletes of the same ids
/// keep meeting), a key source over a given DEK, and the reference model of the final state.
/// </summary>
internal static class Workload
{
    public const int IdSpace = 48;

    public static NamespaceSchema Schema { get; } = new(new NamespaceConfig
    {
        IdKind = IdKind.U64,
        Vectors = { ["v"] = new VectorColumn { Dimensions = 2, ElementType = VectorElementType.F32, Metric = DistanceMetric.Cosine } },
        Attributes =
        {
            ["n"] = new AttributeSchema { Type = AttributeType.Int64 },
            ["s"] = new AttributeSchema { Type = AttributeType.String },
        },
    }, 1);

    /// <summary>One write: 1 to 3 operations drawn from <paramref name="random"/>; its idempotency key is <paramref name="marker"/>.</summary>
    public static WalWrite Write(string marker, Mix64 random)
    {
        var write = new WalWrite { IdempotencyKey = marker };
        var count = 1 + (int)random.Next(3);
        for (var i = 0; i < count; i++)
        {
            write.Operations.Add(Operation(marker, random));
        }

        return write;
    }

    public static WalOperation Operation(string marker, Mix64 random)
    {
        var id = new DocumentId { U64 = 1 + random.Next(IdSpace) };
        var roll = random.Next(100);
        if (roll < 50)
        {
            return new WalOperation { Upsert = Upsert(id, (long)random.Next(1000), marker, random.Next(1000) / 1000f) };
        }

        if (roll < 80)
        {
            var patch = new Document { Id = id };
            switch (random.Next(3))
            {
                case 0:
                    patch.Attributes["n"] = new AttributeValue { IntValue = (long)random.Next(1000) };
                    break;
                case 1:
                    patch.Attributes["s"] = new AttributeValue { NullValue = Google.Protobuf.WellKnownTypes.NullValue.NullValue };
                    break;
                default:
                    patch.Attributes["p"] = new AttributeValue { StringValue = "p-" + marker };
                    break;
            }

            return new WalOperation { Patch = patch };
        }

        return new WalOperation { Delete = id };
    }

    public static Document Upsert(DocumentId id, long n, string s, float x)
    {
        var doc = new Document { Id = id.Clone() };
        doc.Vectors["v"] = new Vector { Values = { x, 1 - x } };
        doc.Attributes["n"] = new AttributeValue { IntValue = n };
        doc.Attributes["s"] = new AttributeValue { StringValue = s };
        return doc;
    }

    /// <summary>The state after <paramref name="entries"/> (in sequence order), applied one operation at a time.</summary>
    public static Dictionary<DocKey, Document> Model(IEnumerable<WalEntry> entries)
    {
        var state = new Dictionary<DocKey, Document>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries.OrderBy(e => e.Sequence))
        {
            foreach (var write in entry.Writes)
            {
                if (write.IdempotencyKey.Length > 0 && !keys.Add(write.IdempotencyKey))
                {
                    continue;
                }

                foreach (var op in write.Operations)
                {
                    Apply(state, op);
                }
            }
        }

        return state;
    }

    public static void Apply(Dictionary<DocKey, Document> state, WalOperation op)
    {
        switch (op.OpCase)
        {
            case WalOperation.OpOneofCase.Upsert:
                {
                    var doc = op.Upsert.Clone();
                    foreach (var name in doc.Attributes.Where(a => a.Value.ValueCase == AttributeValue.ValueOneofCase.NullValue).Select(a => a.Key).ToList())
                    {
                        doc.Attributes.Remove(name);
                    }

                    state[DocKey.From(doc.Id)] = doc;
                    break;
                }

            case WalOperation.OpOneofCase.Patch:
                {
                    var key = DocKey.From(op.Patch.Id);
                    if (!state.TryGetValue(key, out var current))
                    {
                        break;
                    }

                    var merged = current.Clone();
                    foreach (var (name, value) in op.Patch.Attributes)
                    {
                        if (value.ValueCase == AttributeValue.ValueOneofCase.NullValue)
                        {
                            merged.Attributes.Remove(name);
                        }
                        else
                        {
                            merged.Attributes[name] = value.Clone();
                        }
                    }

                    state[key] = merged;
                    break;
                }

            case WalOperation.OpOneofCase.Delete:
                state.Remove(DocKey.From(op.Delete));
                break;
        }
    }
}

/// <summary>SplitMix64: a small seeded generator for reproducible test data (System.Random is banned here).</summary>
internal sealed class Mix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A value in [0, bound).</summary>
    public ulong Next(int bound) => Next() % (ulong)bound;
}

/// <summary>A key source with one DEK (keyring version 1, DEK 1) that records the purposes it was asked with.</summary>
internal sealed class FixedKeys : Keys.IServiceKeySource, IDataKeySource
{
    private readonly byte[] _key;
    private readonly Lock _gate = new();
    private readonly HashSet<KeyPurpose> _purposes = [];

    public FixedKeys(byte[]? key = null) => _key = key ?? RandomNumberGenerator.GetBytes(32);

    public ReadOnlyMemory<byte> Key => _key;

    /// <summary>Throws this many more times from <see cref="GetCurrentAsync"/> (a key service outage).</summary>
    public int FailuresToInject { get; set; }

    public IReadOnlyCollection<KeyPurpose> Purposes
    {
        get
        {
            lock (_gate)
            {
                return [.. _purposes];
            }
        }
    }

    public ValueTask<SealingKey> GetCurrentAsync(string namespaceId, KeyPurpose purpose, CancellationToken cancellationToken)
    {
        Record(purpose);
        lock (_gate)
        {
            if (FailuresToInject > 0)
            {
                FailuresToInject--;
                throw new InvalidOperationException("key service unavailable (injected)");
            }
        }

        return ValueTask.FromResult(SealingKey.Borrowed(1L, 1u, _key));
    }

    public IDataKeySource DataKeys(string namespaceId, KeyPurpose purpose)
    {
        Record(purpose);
        return this;
    }

    public ValueTask<ReadOnlyMemory<byte>?> GetDataKeyAsync(long keyringVersion, uint dekId, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ReadOnlyMemory<byte>?>(keyringVersion == 1 && dekId == 1 ? _key : null);

    /// <summary>The WAL writer's view (no purpose: the write path serves callers).</summary>
    public IWalKeySource ForWal() => Keys.ServiceKeySource.ForPurpose(this, KeyPurpose.CallerRequest);

    private void Record(KeyPurpose purpose)
    {
        lock (_gate)
        {
            _purposes.Add(purpose);
        }
    }
}

/// <summary>A schema source with the workload's fixed schema.</summary>
internal sealed class FixedSchema : INamespaceSchemaSource
{
    public ValueTask<NamespaceSchema> GetSchemaAsync(string namespaceId, CancellationToken cancellationToken) => ValueTask.FromResult(Workload.Schema);
}
