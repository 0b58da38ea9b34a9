namespace Moat.Storage.Keyring;

/// <summary>A DEK's public facts: its id in the namespace and when it was created. Never the key.</summary>
public readonly record struct DataKeyInfo(uint Id, DateTimeOffset CreatedAt);
