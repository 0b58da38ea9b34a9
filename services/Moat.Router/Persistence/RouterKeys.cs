using System.Security.Cryptography;
using System.Text;

namespace Moat.Router.Persistence;

/// <summary>Where each record lives in the router's store.</summary>
public static class RouterKeys
{
    public static string Org(string org) => $"orgs/{org}";

    public static string ApiKey(string keyId) => $"api-keys/{keyId}";

    public static string Endpoints(string org) => $"endpoints/{org}/";

    public static string Endpoint(string org, string endpointId) => $"endpoints/{org}/{endpointId}";

    public static string DirectoryPrefix(string org) => $"directory/{org}/";

    /// <summary>Namespace names are customer metadata of any shape: the key is a hash of the name.</summary>
    public static string Directory(string org, string name) =>
        $"directory/{org}/{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))}";
}
