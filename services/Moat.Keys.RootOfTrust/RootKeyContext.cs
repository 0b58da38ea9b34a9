using System.Buffers.Binary;
using System.Collections.ObjectModel;
using System.Text;

namespace Moat.Keys.RootOfTrust;

/// <summary>
/// What a wrap is bound to: at least the org (<c>moat:org</c>) and the namespace (<c>moat:namespace</c>),
/// plus optional extra pairs. Cloud providers pass <see cref="Pairs"/> as the KMS encryption context
/// (AWS key policies can then condition on <c>moat:org</c>); AEAD providers authenticate
/// <see cref="ToCanonicalBytes"/> as associated data. Immutable.
/// </summary>
public sealed class RootKeyContext : IEquatable<RootKeyContext>
{
    public const string OrgKey = "moat:org";
    public const string NamespaceKey = "moat:namespace";
    private const int MaxPairs = 16;
    private const int MaxBytes = 4096;

    private readonly byte[] _canonical;

    private RootKeyContext(SortedDictionary<string, string> pairs)
    {
        Pairs = new ReadOnlyDictionary<string, string>(pairs);
        _canonical = Encode(pairs);
    }

    /// <summary>The context of a namespace KEK.</summary>
    public static RootKeyContext ForNamespace(string org, string namespaceId) =>
        Create(new Dictionary<string, string> { [OrgKey] = org, [NamespaceKey] = namespaceId });

    /// <summary>A context from pairs; <c>moat:org</c> and <c>moat:namespace</c> are required and non-empty.</summary>
    public static RootKeyContext Create(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
        {
            if (string.IsNullOrEmpty(key) || string.IsNullOrEmpty(value))
            {
                throw new ArgumentException("Context keys and values are non-empty.", nameof(pairs));
            }

            if (!sorted.TryAdd(key, value))
            {
                throw new ArgumentException($"Context key '{key}' is given twice.", nameof(pairs));
            }
        }

        if (!sorted.ContainsKey(OrgKey) || !sorted.ContainsKey(NamespaceKey))
        {
            throw new ArgumentException($"A root key context names the org ('{OrgKey}') and the namespace ('{NamespaceKey}').", nameof(pairs));
        }

        if (sorted.Count > MaxPairs)
        {
            throw new ArgumentException($"A root key context has at most {MaxPairs} pairs.", nameof(pairs));
        }

        var context = new RootKeyContext(sorted);
        if (context._canonical.Length > MaxBytes)
        {
            throw new ArgumentException($"A root key context is at most {MaxBytes} bytes encoded.", nameof(pairs));
        }

        return context;
    }

    /// <summary>A copy with one more pair (e.g. <c>moat:kek-version</c>).</summary>
    public RootKeyContext With(string key, string value) =>
        Create(Pairs.Where(p => p.Key != key).Append(new KeyValuePair<string, string>(key, value)));

    public string Org => Pairs[OrgKey];

    public string Namespace => Pairs[NamespaceKey];

    /// <summary>The pairs, sorted by key (ordinal).</summary>
    public IReadOnlyDictionary<string, string> Pairs { get; }

    /// <summary>
    /// Unambiguous encoding: u16 pair count, then per pair in ordinal key order u16 length ‖ UTF-8 key ‖
    /// u16 length ‖ UTF-8 value (big-endian lengths). Two contexts are equal exactly when these bytes are.
    /// </summary>
    public ReadOnlySpan<byte> ToCanonicalBytes() => _canonical;

    public bool Equals(RootKeyContext? other) => other is not null && _canonical.AsSpan().SequenceEqual(other._canonical);

    public override bool Equals(object? obj) => Equals(obj as RootKeyContext);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_canonical);
        return hash.ToHashCode();
    }

    public override string ToString() => string.Join(", ", Pairs.Select(p => $"{p.Key}={p.Value}"));

    private static byte[] Encode(SortedDictionary<string, string> pairs)
    {
        var buffer = new List<byte>(64);
        Span<byte> u16 = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(u16, checked((ushort)pairs.Count));
        buffer.AddRange(u16);
        foreach (var (key, value) in pairs)
        {
            foreach (var text in (ReadOnlySpan<string>)[key, value])
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                if (bytes.Length > ushort.MaxValue)
                {
                    throw new ArgumentException("A context key or value is too long.", nameof(pairs));
                }

                BinaryPrimitives.WriteUInt16BigEndian(u16, (ushort)bytes.Length);
                buffer.AddRange(u16);
                buffer.AddRange(bytes);
            }
        }

        return [.. buffer];
    }
}
