using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Moat.Router.ApiKeys;

/// <summary>
/// API keys are <c>moat_{id}_{secret}</c>: a 16-hex-digit id and 256 random bits of secret
/// (base64url). Only SHA-256(salt ‖ secret) is stored: with 256 bits of entropy a slow KDF adds
/// nothing. Comparison is constant-time.
/// </summary>
public static class ApiKeySecret
{
    public const string Prefix = "moat_";

    public static (string Id, string Secret, string FullKey) Generate()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (id, secret, $"{Prefix}{id}_{secret}");
    }

    public static bool TryParse(string key, [NotNullWhen(true)] out string? id, [NotNullWhen(true)] out string? secret)
    {
        id = null;
        secret = null;
        if (!key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = key.AsSpan(Prefix.Length);
        var underscore = rest.IndexOf('_');
        if (underscore != 16 || rest.Length - underscore - 1 < 32)
        {
            return false;
        }

        var idPart = rest[..underscore];
        foreach (var c in idPart)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        id = idPart.ToString();
        secret = rest[(underscore + 1)..].ToString();
        return true;
    }

    public static (string Salt, string Hash) Hash(string secret)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        return (Convert.ToBase64String(salt), Convert.ToBase64String(Digest(salt, secret)));
    }

    public static bool Verify(string secret, string salt, string hash)
    {
        var expected = Convert.FromBase64String(hash);
        var actual = Digest(Convert.FromBase64String(salt), secret);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static byte[] Digest(byte[] salt, string secret)
    {
        var secretBytes = Encoding.UTF8.GetBytes(secret);
        var buffer = new byte[salt.Length + secretBytes.Length];
        salt.CopyTo(buffer, 0);
        secretBytes.CopyTo(buffer, salt.Length);
        var digest = SHA256.HashData(buffer);
        CryptographicOperations.ZeroMemory(buffer);
        CryptographicOperations.ZeroMemory(secretBytes);
        return digest;
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
