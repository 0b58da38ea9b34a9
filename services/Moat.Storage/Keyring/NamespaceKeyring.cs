using System.Globalization;
using System.Security.Cryptography;
using Moat.Storage.Sealing;

namespace Moat.Storage.Keyring;

/// <summary>
/// One version of a namespace's keyring (DESIGN sections 5 and 6), stored at
/// <c>v1/ns/{nsid}/keyring/{ver:D20}</c>: the namespace's DEKs, each wrapped under the namespace KEK
/// with associated data binding namespace, keyring version, KEK version and DEK id, plus an
/// authenticator over the whole document, so entries cannot be swapped, dropped, added or moved to
/// another namespace or version undetected. Immutable: every operation returns a new version.
/// </summary>
/// <remarks>
/// Holds the DEKs in plaintext in one pinned array (no copies left behind by the GC), zeroed on
/// <see cref="Dispose"/>. Memory handed out by <see cref="TryGetDataKey"/> aliases that array and
/// reads as zeros after disposal.
/// </remarks>
public sealed class NamespaceKeyring : IDataKeySource, IDisposable
{
    private readonly DataKeyInfo[] _dataKeys;
    private readonly byte[] _keys;
    private readonly byte[] _document;
    private bool _disposed;

    private NamespaceKeyring(string namespaceId, long version, long kekVersion, DataKeyInfo[] dataKeys, byte[] keys, byte[] document)
    {
        NamespaceId = namespaceId;
        Version = version;
        KekVersion = kekVersion;
        _dataKeys = dataKeys;
        _keys = keys;
        _document = document;
    }

    /// <summary>The namespace's opaque id.</summary>
    public string NamespaceId { get; }

    /// <summary>This keyring version (1 for the first).</summary>
    public long Version { get; }

    /// <summary>The KEK version every DEK of this keyring version is wrapped under.</summary>
    public long KekVersion { get; }

    /// <summary>The DEKs this version holds, oldest first (ids strictly increasing).</summary>
    public IReadOnlyList<DataKeyInfo> DataKeys => _dataKeys;

    /// <summary>The newest DEK: the one new objects are sealed with.</summary>
    public DataKeyInfo CurrentDataKey => _dataKeys[^1];

    /// <summary>Where this version is stored.</summary>
    public string StoragePath => StoragePaths.Keyring(NamespaceId, Version);

    /// <summary>Keyring version 1 of a new namespace, with one fresh DEK (id 1).</summary>
    public static NamespaceKeyring CreateFirst(string namespaceId, IKeyWrapper kek, TimeProvider? timeProvider = null)
    {
        KeyringFormat.ValidateNamespaceId(namespaceId);
        ArgumentNullException.ThrowIfNull(kek);
        var keys = NewKeyBuffer(1);
        RandomNumberGenerator.Fill(keys);
        return Build(namespaceId, 1, kek, [new DataKeyInfo(1, Now(timeProvider))], keys);
    }

    /// <summary>The next keyring version: every DEK of this one plus a fresh DEK (id = newest + 1),
    /// wrapped under the same KEK.</summary>
    public NamespaceKeyring AddDataKey(IKeyWrapper kek, TimeProvider? timeProvider = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(kek);
        if (kek.KekVersion != KekVersion)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Keyring {Version} is wrapped under KEK version {KekVersion}; the wrapper holds version {kek.KekVersion}. Re-wrap first."), nameof(kek));
        }

        if (_dataKeys.Length >= KeyringFormat.MaxDataKeys || CurrentDataKey.Id == uint.MaxValue)
        {
            throw new InvalidOperationException("The keyring holds the most DEKs it can.");
        }

        var keys = NewKeyBuffer(_dataKeys.Length + 1);
        _keys.CopyTo(keys, 0);
        RandomNumberGenerator.Fill(keys.AsSpan(_keys.Length));
        DataKeyInfo[] dataKeys = [.. _dataKeys, new DataKeyInfo(CurrentDataKey.Id + 1, Now(timeProvider))];
        return Build(NamespaceId, checked(Version + 1), kek, dataKeys, keys);
    }

    /// <summary>The next keyring version: the same DEKs re-wrapped under a newer KEK version (KEK rotation).</summary>
    public NamespaceKeyring Rewrap(IKeyWrapper newKek)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(newKek);
        if (newKek.KekVersion <= KekVersion)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Re-wrapping needs a KEK version newer than {KekVersion}; got {newKek.KekVersion}."), nameof(newKek));
        }

        var keys = NewKeyBuffer(_dataKeys.Length);
        _keys.CopyTo(keys, 0);
        return Build(NamespaceId, checked(Version + 1), newKek, [.. _dataKeys], keys);
    }

    /// <summary>
    /// Verifies and opens the keyring document stored at <c>StoragePaths.Keyring(namespaceId, version)</c>:
    /// structure, identity (namespace and version must match the path), KEK version, the
    /// authenticator, then every DEK entry.
    /// </summary>
    /// <exception cref="KeyringIntegrityException">Anything fails; the message names the path.</exception>
    public static NamespaceKeyring Parse(ReadOnlySpan<byte> document, string namespaceId, long version, IKeyWrapper kek)
    {
        KeyringFormat.ValidateNamespaceId(namespaceId);
        ArgumentNullException.ThrowIfNull(kek);
        var path = StoragePaths.Keyring(namespaceId, version);
        var doc = KeyringCodec.Read(document, path);
        if (!string.Equals(doc.NamespaceId, namespaceId, StringComparison.Ordinal) || doc.KeyringVersion != version)
        {
            throw new KeyringIntegrityException(path, KeyringFailure.WrongIdentity, string.Create(CultureInfo.InvariantCulture,
                $"the document is namespace '{doc.NamespaceId}' version {doc.KeyringVersion}, not the one its path names"));
        }

        if (doc.KekVersion != kek.KekVersion)
        {
            throw new KeyringIntegrityException(path, KeyringFailure.KekVersionMismatch, string.Create(CultureInfo.InvariantCulture,
                $"wrapped under KEK version {doc.KekVersion}; the wrapper holds version {kek.KekVersion}"));
        }

        VerifyAuthenticator(document[..doc.AuthenticatedLength], doc, kek, path);

        var keys = NewKeyBuffer(doc.Entries.Count);
        var scratch = GC.AllocateArray<byte>(KeyringFormat.MaxWrappedSize, pinned: true);
        try
        {
            var dataKeys = new DataKeyInfo[doc.Entries.Count];
            for (var i = 0; i < dataKeys.Length; i++)
            {
                var entry = doc.Entries[i];
                var aad = KeyringFormat.AssociatedData(doc.FormatVersion, KeyringFormat.PurposeDataKey, namespaceId, version, doc.KekVersion, entry.Id);
                int length;
                try
                {
                    length = kek.Unwrap(entry.Wrapped, aad, scratch);
                }
                catch (CryptographicException e)
                {
                    throw new KeyringIntegrityException(path, KeyringFailure.AuthenticationFailed,
                        string.Create(CultureInfo.InvariantCulture, $"DEK {entry.Id} did not unwrap (wrong KEK or tampered entry)"), e);
                }

                if (length != KeyringFormat.DataKeySize)
                {
                    throw KeyringCodec.Malformed(path, string.Create(CultureInfo.InvariantCulture, $"DEK {entry.Id} is {length} bytes"));
                }

                scratch.AsSpan(0, length).CopyTo(keys.AsSpan(i * KeyringFormat.DataKeySize));
                CryptographicOperations.ZeroMemory(scratch.AsSpan(0, length));
                dataKeys[i] = new DataKeyInfo(entry.Id, FromUnixMs(entry.CreatedUnixMs, path));
            }

            return new NamespaceKeyring(namespaceId, version, doc.KekVersion, dataKeys, keys, document.ToArray());
        }
        catch
        {
            CryptographicOperations.ZeroMemory(keys);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scratch);
        }
    }

    /// <summary>The document to store at <see cref="StoragePath"/> (create-if-absent). Holds no plaintext key.</summary>
    public byte[] Serialize() => (byte[])_document.Clone();

    /// <summary>The DEK with id <paramref name="dekId"/>. The memory aliases this keyring's key store and is
    /// zeroed when the keyring is disposed; do not keep it beyond the keyring's lifetime.</summary>
    public bool TryGetDataKey(uint dekId, out ReadOnlyMemory<byte> dataKey)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var index = Array.BinarySearch(_dataKeys, new DataKeyInfo(dekId, default), DataKeyIdComparer.Instance);
        if (index < 0)
        {
            dataKey = default;
            return false;
        }

        dataKey = _keys.AsMemory(index * KeyringFormat.DataKeySize, KeyringFormat.DataKeySize);
        return true;
    }

    /// <summary>
    /// Answers for this keyring version only: a DEK it holds, for objects sealed under this version or an
    /// earlier one; <c>null</c> otherwise. A source that can load newer versions (the key cache) should
    /// wrap it when a header may name a newer keyring version.
    /// </summary>
    public ValueTask<ReadOnlyMemory<byte>?> GetDataKeyAsync(long keyringVersion, uint dekId, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // Not "? key : null": null would convert to an empty ReadOnlyMemory through byte[], not to a null answer.
        return keyringVersion <= Version && TryGetDataKey(dekId, out var key)
            ? ValueTask.FromResult<ReadOnlyMemory<byte>?>(key)
            : ValueTask.FromResult<ReadOnlyMemory<byte>?>(null);
    }

    /// <summary>Zeroes every DEK held in memory.</summary>
    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_keys);
    }

    private static NamespaceKeyring Build(string namespaceId, long version, IKeyWrapper kek, DataKeyInfo[] dataKeys, byte[] keys)
    {
        try
        {
            var entries = new KeyringCodec.Entry[dataKeys.Length];
            for (var i = 0; i < dataKeys.Length; i++)
            {
                var aad = KeyringFormat.AssociatedData(KeyringFormat.CurrentVersion, KeyringFormat.PurposeDataKey, namespaceId, version,
                    kek.KekVersion, dataKeys[i].Id);
                var wrapped = kek.Wrap(keys.AsSpan(i * KeyringFormat.DataKeySize, KeyringFormat.DataKeySize), aad);
                entries[i] = new KeyringCodec.Entry(dataKeys[i].Id, dataKeys[i].CreatedAt.ToUnixTimeMilliseconds(), wrapped);
            }

            var document = KeyringCodec.Write(namespaceId, version, kek, entries);
            return new NamespaceKeyring(namespaceId, version, kek.KekVersion, dataKeys, keys, document);
        }
        catch
        {
            CryptographicOperations.ZeroMemory(keys);
            throw;
        }
    }

    private static void VerifyAuthenticator(ReadOnlySpan<byte> body, KeyringCodec.Document doc, IKeyWrapper kek, string path)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, digest);
        var aad = KeyringFormat.AssociatedData(doc.FormatVersion, KeyringFormat.PurposeAuthenticator, doc.NamespaceId, doc.KeyringVersion,
            doc.KekVersion, 0);
        var unwrapped = new byte[doc.Authenticator.Length];
        int length;
        try
        {
            length = kek.Unwrap(doc.Authenticator, aad, unwrapped);
        }
        catch (CryptographicException e)
        {
            throw new KeyringIntegrityException(path, KeyringFailure.AuthenticationFailed,
                "the keyring authenticator did not verify (wrong KEK or tampered document)", e);
        }

        if (length != digest.Length || !CryptographicOperations.FixedTimeEquals(unwrapped.AsSpan(0, length), digest))
        {
            throw new KeyringIntegrityException(path, KeyringFailure.AuthenticationFailed,
                "the document does not match its authenticator (entries changed, dropped, added or reordered)");
        }
    }

    private static byte[] NewKeyBuffer(int count) => GC.AllocateArray<byte>(count * KeyringFormat.DataKeySize, pinned: true);

    private static DateTimeOffset Now(TimeProvider? timeProvider) =>
        DateTimeOffset.FromUnixTimeMilliseconds((timeProvider ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds());

    private static DateTimeOffset FromUnixMs(long value, string path)
    {
        try
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(value);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw KeyringCodec.Malformed(path, "DEK creation time out of range", e);
        }
    }

    private sealed class DataKeyIdComparer : IComparer<DataKeyInfo>
    {
        public static readonly DataKeyIdComparer Instance = new();

        public int Compare(DataKeyInfo x, DataKeyInfo y) => x.Id.CompareTo(y.Id);
    }
}
