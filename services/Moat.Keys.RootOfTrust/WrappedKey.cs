using System.Buffers.Binary;
using System.Text;

namespace Moat.Keys.RootOfTrust;

/// <summary>
/// A key wrapped by a root of trust, with what is needed to unwrap it again: the provider, the root
/// key id, the root key's version where the provider has versions (cloud KMS; empty for PKCS#11 and
/// dev-file), the mechanism, and the opaque ciphertext. <see cref="Encode"/> gives the form a key
/// store keeps.
/// </summary>
public sealed record WrappedKey
{
    private const byte FormatVersion = 1;

    public WrappedKey(string provider, string rootKeyId, string keyVersion, string mechanism, ReadOnlyMemory<byte> ciphertext)
    {
        ArgumentException.ThrowIfNullOrEmpty(provider);
        ArgumentException.ThrowIfNullOrEmpty(rootKeyId);
        ArgumentNullException.ThrowIfNull(keyVersion);
        ArgumentException.ThrowIfNullOrEmpty(mechanism);
        Provider = provider;
        RootKeyId = rootKeyId;
        KeyVersion = keyVersion;
        Mechanism = mechanism;
        Ciphertext = ciphertext.ToArray();
    }

    public string Provider { get; }

    public string RootKeyId { get; }

    /// <summary>Version of the root key that wrapped (cloud KMS key version); empty when the provider has none.</summary>
    public string KeyVersion { get; }

    /// <summary>E.g. <c>AES-256-GCM</c> (see <see cref="RootWrapFormat"/>).</summary>
    public string Mechanism { get; }

    public ReadOnlyMemory<byte> Ciphertext { get; }

    /// <summary>
    /// "MRWK" ‖ u8 format (1) ‖ four strings (provider, root key id, key version, mechanism), each u16
    /// big-endian length ‖ UTF-8 ‖ u32 big-endian ciphertext length ‖ ciphertext.
    /// </summary>
    public byte[] Encode()
    {
        var strings = new[] { Provider, RootKeyId, KeyVersion, Mechanism }.Select(Encoding.UTF8.GetBytes).ToArray();
        var size = 4 + 1 + strings.Sum(s => 2 + s.Length) + 4 + Ciphertext.Length;
        var output = new byte[size];
        var span = output.AsSpan();
        "MRWK"u8.CopyTo(span);
        span[4] = FormatVersion;
        var at = 5;
        foreach (var s in strings)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span[at..], checked((ushort)s.Length));
            s.CopyTo(span[(at + 2)..]);
            at += 2 + s.Length;
        }

        BinaryPrimitives.WriteUInt32BigEndian(span[at..], (uint)Ciphertext.Length);
        Ciphertext.Span.CopyTo(span[(at + 4)..]);
        return output;
    }

    /// <exception cref="FormatException">The bytes are not an encoded wrapped key.</exception>
    public static WrappedKey Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length < 5 || !encoded[..4].SequenceEqual("MRWK"u8) || encoded[4] != FormatVersion)
        {
            throw new FormatException("Not a wrapped root key (magic or format version).");
        }

        var at = 5;
        var strings = new string[4];
        for (var i = 0; i < strings.Length; i++)
        {
            if (encoded.Length - at < 2)
            {
                throw new FormatException("A wrapped root key is truncated.");
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(encoded[at..]);
            if (encoded.Length - at - 2 < length)
            {
                throw new FormatException("A wrapped root key is truncated.");
            }

            strings[i] = Encoding.UTF8.GetString(encoded.Slice(at + 2, length));
            at += 2 + length;
        }

        if (encoded.Length - at < 4)
        {
            throw new FormatException("A wrapped root key is truncated.");
        }

        var ciphertextLength = BinaryPrimitives.ReadUInt32BigEndian(encoded[at..]);
        if ((ulong)(encoded.Length - at - 4) != ciphertextLength)
        {
            throw new FormatException("A wrapped root key has the wrong ciphertext length.");
        }

        try
        {
            return new WrappedKey(strings[0], strings[1], strings[2], strings[3], encoded[(at + 4)..].ToArray());
        }
        catch (ArgumentException e)
        {
            throw new FormatException("A wrapped root key has an empty field.", e);
        }
    }

    public bool Equals(WrappedKey? other) =>
        other is not null && Provider == other.Provider && RootKeyId == other.RootKeyId && KeyVersion == other.KeyVersion &&
        Mechanism == other.Mechanism && Ciphertext.Span.SequenceEqual(other.Ciphertext.Span);

    public override int GetHashCode() => HashCode.Combine(Provider, RootKeyId, KeyVersion, Mechanism, Ciphertext.Length);

    public override string ToString() => $"WrappedKey({Provider}, {RootKeyId}, {Mechanism}, {Ciphertext.Length} bytes)";
}
