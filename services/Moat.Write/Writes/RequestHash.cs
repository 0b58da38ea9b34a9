using System.Security.Cryptography;
using Google.Protobuf;
using Moat.V1;

namespace Moat.Write.Writes;

/// <summary>
/// SHA-256 of a write's canonical form, which decides whether a retry with the same idempotency key
/// is "the same request": the request without its idempotency key, every map (vectors, attributes,
/// config columns and attributes) rebuilt in ordinal key order, so a client that re-encodes its
/// maps in another order still matches. Kept in the WAL entry (sealed) beside the key.
/// </summary>
internal static class RequestHash
{
    public static byte[] Of(WriteRequest request)
    {
        var canonical = new WriteRequest
        {
            Namespace = request.Namespace,
            DeleteByFilter = request.DeleteByFilter,
            PatchByFilter = request.PatchByFilter is null ? null : SortedPatch(request.PatchByFilter),
            UpsertCondition = request.UpsertCondition,
            PatchCondition = request.PatchCondition,
            DeleteCondition = request.DeleteCondition,
            VersionCondition = request.VersionCondition,
            ReturnAffectedIds = request.ReturnAffectedIds,
            CreateConfig = request.CreateConfig is null ? null : Sorted(request.CreateConfig),
        };
        canonical.Upserts.AddRange(request.Upserts.Select(Sorted));
        canonical.Patches.AddRange(request.Patches.Select(Sorted));
        canonical.Deletes.AddRange(request.Deletes);
        return SHA256.HashData(canonical.ToByteArray());
    }

    private static Document Sorted(Document document)
    {
        var sorted = new Document { Id = document.Id };
        foreach (var (name, vector) in document.Vectors.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            sorted.Vectors.Add(name, vector);
        }

        foreach (var (name, value) in document.Attributes.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            sorted.Attributes.Add(name, value);
        }

        return sorted;
    }

    private static PatchByFilter SortedPatch(PatchByFilter patch)
    {
        var sorted = new PatchByFilter { Filter = patch.Filter, Limit = patch.Limit, AllowPartial = patch.AllowPartial };
        foreach (var (name, value) in patch.Attributes.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            sorted.Attributes.Add(name, value);
        }

        return sorted;
    }

    private static NamespaceConfig Sorted(NamespaceConfig config)
    {
        var sorted = new NamespaceConfig { IdKind = config.IdKind, Encryption = config.Encryption };
        foreach (var (name, column) in config.Vectors.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            sorted.Vectors.Add(name, column);
        }

        foreach (var (name, schema) in config.Attributes.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            sorted.Attributes.Add(name, schema);
        }

        return sorted;
    }
}
