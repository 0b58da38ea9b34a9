using Microsoft.Extensions.Options;
using Moat.Hosting.Configuration;
using Moat.Storage.ObjectStore;
using Moat.Storage.Records;

namespace Moat.Keys.KeyStore;

/// <summary>
/// The two stores the keys service uses: the key store (its own directory: wrapped KEKs and key
/// metadata, never data) and the region's data store (where namespace keyrings live).
/// </summary>
public sealed class KeyStores
{
    public KeyStores(IOptions<KeyStoreOptions> options, IOptions<MoatOptions> moat)
    {
        var region = moat.Value.Region;
        KeyStoreObjects = new LocalFileSystemStore(options.Value.KeyStoreDir, region);
        Keys = new JsonRecordStore(KeyStoreObjects);
        Data = new LocalFileSystemStore(options.Value.DataStoreDir, region);
    }

    /// <summary>The key store as objects (destruction deletes from it).</summary>
    public IObjectStore KeyStoreObjects { get; }

    /// <summary>The key store's records.</summary>
    public JsonRecordStore Keys { get; }

    /// <summary>The region's data store: namespace keyrings at <c>v1/ns/{nsid}/keyring/{ver}</c>.</summary>
    public IObjectStore Data { get; }
}
