using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Moat.Keys.RootOfTrust;
using Moat.Keys.RootOfTrust.Pkcs11;

// Usage (SOFTHSM2_CONF must be in this process's environment):
//   wrap   <library> <token> <pin-file> <root-key-id> <org> <namespace> <key-hex>   -> prints the encoded wrapped key (base64)
//   unwrap <library> <token> <pin-file> <wrapped-base64> <org> <namespace>          -> prints SHA-256 of the key (hex), never the key
// Exit 0 on success; 2 with "Reason: message" on stderr for a RootOfTrustException; 64 for bad usage.
if (args.Length < 6 || args[0] is not ("wrap" or "unwrap"))
{
    await Console.Error.WriteLineAsync("usage: wrap|unwrap <library> <token> <pin-file> ...");
    return 64;
}

var options = new Pkcs11Options { LibraryPath = args[1], TokenLabel = args[2], PinFile = args[3] };
try
{
    using var provider = new Pkcs11RootKeyProvider(options, NullLogger<Pkcs11RootKeyProvider>.Instance);
    if (args[0] == "wrap" && args.Length == 8)
    {
        var key = Convert.FromHexString(args[7]);
        var wrapped = await provider.WrapAsync(args[4], key, RootKeyContext.ForNamespace(args[5], args[6]));
        Console.WriteLine(Convert.ToBase64String(wrapped.Encode()));
        return 0;
    }

    if (args[0] == "unwrap" && args.Length == 7)
    {
        var wrapped = WrappedKey.Decode(Convert.FromBase64String(args[4]));
        using var key = await provider.UnwrapAsync(wrapped, RootKeyContext.ForNamespace(args[5], args[6]));
        Console.WriteLine(Convert.ToHexString(SHA256.HashData(key.Span)));
        return 0;
    }

    await Console.Error.WriteLineAsync("bad arguments");
    return 64;
}
catch (RootOfTrustException e)
{
    await Console.Error.WriteLineAsync($"{e.Reason}: {e.Message}");
    return 2;
}
