using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Moat.Keys.RootOfTrust;

/// <summary>
/// The AES-256-GCM wrap both local providers use (PKCS#11 inside the HSM, dev-file in process).
/// Ciphertext = nonce (12, random) ‖ encrypted key ‖ tag (16). Associated data =
/// "moat-root-wrap/v1" ‖ u16-length-prefixed provider ‖ root key id ‖ mechanism ‖ the context's
/// canonical bytes — so a wrap moved to another org, namespace, root key or provider fails to authenticate.
/// </summary>
public static class RootWrapFormat
{
    public const string AesGcm = "AES-256-GCM";
    public const int KeySize = 32;
    public const int NonceSize = 12;
    public const int TagSize = 16;

    /// <summary>Largest key a root wraps (KEKs are 32 bytes; room for other key types).</summary>
    public const int MaxPlaintextKeySize = 512;

    public static byte[] AssociatedData(string provider, string rootKeyId, string mechanism, RootKeyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var label = "moat-root-wrap/v1"u8;
        var parts = new[] { provider, rootKeyId, mechanism }.Select(Encoding.UTF8.GetBytes).ToArray();
        var contextBytes = context.ToCanonicalBytes();
        var output = new byte[label.Length + parts.Sum(p => 2 + p.Length) + contextBytes.Length];
        var span = output.AsSpan();
        label.CopyTo(span);
        var at = label.Length;
        foreach (var part in parts)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span[at..], checked((ushort)part.Length));
            part.CopyTo(span[(at + 2)..]);
            at += 2 + part.Length;
        }

        contextBytes.CopyTo(span[at..]);
        return output;
    }

    internal static void ThrowIfBadPlaintext(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty || key.Length > MaxPlaintextKeySize)
        {
            throw new ArgumentException($"A key to wrap is 1 to {MaxPlaintextKeySize} bytes.", nameof(key));
        }
    }

    internal static byte[] NewNonce()
    {
        var nonce = new byte[NonceSize];
        RandomNumberGenerator.Fill(nonce);
        return nonce;
    }
}
