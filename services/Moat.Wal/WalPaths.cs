using Moat.Storage;

namespace Moat.Wal;

/// <summary>Keys of a namespace's WAL: <c>v1/ns/{nsid}/wal/{seq:D20}</c> (<see cref="StoragePaths.WalEntry"/>).</summary>
public static class WalPaths
{
    /// <summary>The list prefix of the namespace's WAL.</summary>
    public static string Prefix(string namespaceId) => StoragePaths.NamespaceRoot(namespaceId) + "wal/";

    /// <summary>The sequence a WAL key names, or false for a key that is not <c>{prefix}{20 digits}</c> with a positive sequence.</summary>
    public static bool TryParseSequence(string key, string prefix, out long sequence) =>
        StoragePaths.TryParseSequenceKey(key, prefix, out sequence);
}
