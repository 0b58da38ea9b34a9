namespace Moat.Audit;

/// <summary>
/// The org's audit DEK new batches are sealed with, as a sealed header names it. <see cref="Key"/>
/// stays owned by the provider (e.g. a keyring zeroed on dispose); the writer uses it only to seal.
/// </summary>
/// <param name="KeyringVersion">Keyring version holding the DEK.</param>
/// <param name="DekId">DEK id in that keyring.</param>
/// <param name="Key">The 32-byte DEK.</param>
public readonly record struct AuditSealingKey(long KeyringVersion, uint DekId, ReadOnlyMemory<byte> Key);
