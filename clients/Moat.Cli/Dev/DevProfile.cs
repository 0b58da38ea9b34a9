using System.Text.Json;
using System.Text.Json.Serialization;
using Moat.Hosting.Pki;

namespace Moat.Cli.Dev;

/// <summary>
/// <c>profile.json</c>: how any client reaches the dev stack. The first five names are a contract
/// (endpoint, ca_file, api_key, org, region); later fields are additions.
/// </summary>
public sealed class DevProfile
{
    [JsonPropertyName("endpoint")]
    public string Endpoint { get; set; } = string.Empty;

    [JsonPropertyName("ca_file")]
    public string CaFile { get; set; } = string.Empty;

    [JsonPropertyName("api_key")]
    public string ApiKey { get; set; } = string.Empty;

    [JsonPropertyName("org")]
    public string Org { get; set; } = string.Empty;

    [JsonPropertyName("region")]
    public string Region { get; set; } = string.Empty;

    [JsonPropertyName("trust_domain")]
    public string TrustDomain { get; set; } = string.Empty;

    /// <summary>The operator certificate the CLI uses for health checks of internal listeners.</summary>
    [JsonPropertyName("operator_cert_file")]
    public string OperatorCertFile { get; set; } = string.Empty;

    [JsonPropertyName("operator_key_file")]
    public string OperatorKeyFile { get; set; } = string.Empty;

    [JsonPropertyName("services")]
    public List<DevProfileService> Services { get; set; } = [];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static DevProfile? TryLoad(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<DevProfile>(File.ReadAllText(path), Json) : null;

    /// <summary>Written atomically and 0600: it holds the API key.</summary>
    public void Save(string path) => DevPki.WriteFile(path, JsonSerializer.Serialize(this, Json), secret: true);
}

/// <summary>One process of the stack as the profile lists it.</summary>
public sealed class DevProfileService
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("address")]
    public string Address { get; set; } = string.Empty;

    [JsonPropertyName("identity")]
    public string Identity { get; set; } = string.Empty;

    [JsonPropertyName("pid")]
    public int Pid { get; set; }
}
