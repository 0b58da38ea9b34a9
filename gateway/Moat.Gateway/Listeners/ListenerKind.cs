namespace Moat.Gateway.Listeners;

/// <summary>The kinds of customer listener of DESIGN section 8, by their config names.</summary>
public static class ListenerKind
{
    public const string AwsPrivateLink = "aws-privatelink";
    public const string GcpPsc = "gcp-psc";
    public const string AzurePrivateLink = "azure-privatelink";
    public const string VpcPeering = "vpc-peering";
    public const string LoopbackDev = "loopback-dev";

    public static IReadOnlyList<string> All { get; } = [AwsPrivateLink, GcpPsc, AzurePrivateLink, VpcPeering, LoopbackDev];

    /// <summary>Kinds this build can serve; the others need the private-endpoint gateway (PROXY protocol v2).</summary>
    public static IReadOnlyList<string> Built { get; } = [LoopbackDev];
}
