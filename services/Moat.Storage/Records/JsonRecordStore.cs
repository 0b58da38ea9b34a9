using System.Runtime.CompilerServices;
using System.Text.Json;
using Moat.Storage.ObjectStore;

namespace Moat.Storage.Records;

/// <summary>
/// JSON metadata records (the router's directory, the key store) on an object store:
/// create-if-absent, compare-and-swap by etag, list by prefix. The store's conditional puts are
/// what make several instances safe to run at once. Never for customer data: that is sealed.
/// </summary>
public sealed class JsonRecordStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly IObjectStore _store;

    public JsonRecordStore(IObjectStore store)
    {
        _store = store;
    }

    public async Task<(T Value, string ETag)?> GetAsync<T>(string key, CancellationToken cancellationToken)
        where T : class
    {
        var stored = await _store.GetAsync(key, null, cancellationToken);
        return stored is null ? null : (Deserialize<T>(stored.Data), stored.Metadata.ETag);
    }

    /// <summary>Creates the record if no record has the key; false (nothing written) if one does.</summary>
    public async Task<bool> TryCreateAsync<T>(string key, T value, CancellationToken cancellationToken)
    {
        try
        {
            await _store.PutAsync(key, JsonSerializer.SerializeToUtf8Bytes(value, Json), PutCondition.IfAbsent, cancellationToken);
            return true;
        }
        catch (ObjectStorePreconditionFailedException)
        {
            return false;
        }
    }

    /// <summary>Replaces the record only if it is still the version read (etag); false if it changed.</summary>
    public async Task<bool> TryReplaceAsync<T>(string key, T value, string etag, CancellationToken cancellationToken)
    {
        try
        {
            await _store.PutAsync(key, JsonSerializer.SerializeToUtf8Bytes(value, Json), PutCondition.IfMatch(etag), cancellationToken);
            return true;
        }
        catch (ObjectStorePreconditionFailedException)
        {
            return false;
        }
    }

    public async IAsyncEnumerable<T> ListAsync<T>(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        await foreach (var meta in _store.ListAsync(prefix, null, cancellationToken))
        {
            if (await GetAsync<T>(meta.Key, cancellationToken) is { } record)
            {
                yield return record.Value;
            }
        }
    }

    public async Task<bool> TryDeleteAsync(string key, string etag, CancellationToken cancellationToken)
    {
        try
        {
            await _store.DeleteAsync(key, etag, cancellationToken);
            return true;
        }
        catch (ObjectStorePreconditionFailedException)
        {
            return false;
        }
    }

    private static T Deserialize<T>(ReadOnlyMemory<byte> data)
        where T : class =>
        JsonSerializer.Deserialize<T>(data.Span, Json) ?? throw new InvalidDataException($"an empty {typeof(T).Name} record");
}
