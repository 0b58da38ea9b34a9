using Moat.Indexer.Keys;
using Moat.Internal.V1;
using Moat.Keys.Client;
using Moat.Storage.Sealing;

namespace Moat.Query.Reading;

/// <summary>
/// The keys one caller's read may use: every unseal goes through KeyVault's decision for this
/// caller's principal (or the key cache it filled). Lives for one request; disposing it zeroes the
/// private key copies it handed out. The query service only ever reads, so it never asks for a
/// service purpose.
/// </summary>
internal sealed class CallerKeySource(KeyVaultKeySource keys, KeyAccess access) : IServiceKeySource, IDisposable
{
    private readonly NamespaceDataKeys _dataKeys = keys.DataKeys(access);

    public KeyAccess Access => access;

    public ValueTask<SealingKey> GetCurrentAsync(string namespaceId, KeyPurpose purpose, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("The query service never seals.");

    public IDataKeySource DataKeys(string namespaceId, KeyPurpose purpose)
    {
        if (namespaceId != access.NamespaceId || purpose != KeyPurpose.CallerRequest)
        {
            throw new InvalidOperationException("A caller's keys serve the caller's namespace only.");
        }

        return _dataKeys;
    }

    public void Dispose() => _dataKeys.Dispose();
}
