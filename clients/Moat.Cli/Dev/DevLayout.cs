using Moat.Hosting;

namespace Moat.Cli.Dev;

/// <summary>Where the dev stack's pieces are: built hosts, ports, state directory.</summary>
public sealed class DevLayout
{
    public const int DefaultBasePort = 7400;
    public const string DefaultStateDir = ".moat/dev";
    public const string Region = "dev-local";
    public const string LoopbackListener = "loopback-dev";
    public const string DevOrg = "dev";

    public DevLayout(string repoRoot, string stateDir, int basePort)
    {
        RepoRoot = repoRoot;
        StateDir = Path.GetFullPath(stateDir);
        BasePort = basePort;
    }

    public string RepoRoot { get; }

    public string StateDir { get; }

    public int BasePort { get; }

    public string PkiDir => Path.Combine(StateDir, "pki");

    public string LogDir => Path.Combine(StateDir, "logs");

    public string DataDir => Path.Combine(StateDir, "data");

    public string ProfileFile => Path.Combine(StateDir, "profile.json");

    /// <summary>The gateway's customer listener: the endpoint in the profile.</summary>
    public int GatewayPublicPort => BasePort;

    /// <summary>Each service's internal mTLS port (the gateway's is its operator listener).</summary>
    public int InternalPort(string service) => service switch
    {
        MoatServices.Gateway => BasePort + 1,
        MoatServices.Write => BasePort + 2,
        MoatServices.Query => BasePort + 3,
        MoatServices.Keys => BasePort + 4,
        MoatServices.Router => BasePort + 5,
        _ => throw new ArgumentOutOfRangeException(nameof(service)),
    };

    public IEnumerable<int> AllPorts => MoatServices.All.Select(InternalPort).Append(GatewayPublicPort);

    public static string Address(int port) => $"https://127.0.0.1:{port}";

    /// <summary>The built host, in the same build configuration as this CLI (artifacts/bin/{project}/{config}).</summary>
    public string HostAssembly(string service)
    {
        var project = "Moat." + char.ToUpperInvariant(service[0]) + service[1..];
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        return Path.Combine(RepoRoot, "artifacts", "bin", project, configuration, project + ".dll");
    }

    /// <summary>The repository: MOAT_HOME (set by ./moat), else the nearest parent holding Microservices.sln.</summary>
    public static string FindRepoRoot()
    {
        var fromEnv = Environment.GetEnvironmentVariable("MOAT_HOME");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Microservices.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the Moat repository (set MOAT_HOME)");
    }
}
