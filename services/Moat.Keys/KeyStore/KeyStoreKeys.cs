namespace Moat.Keys.KeyStore;

/// <summary>Where each record lives in the key store (a store of its own, DESIGN section 5).</summary>
public static class KeyStoreKeys
{
    public static string CustomerKeysPrefix(string org) => $"customer-keys/{org}/";

    public static string CustomerKey(string org, string keyId) => $"customer-keys/{org}/{keyId}";

    public const string KeksPrefix = "keks/";

    public static string Kek(string namespaceId) => $"keks/{namespaceId}";
}
