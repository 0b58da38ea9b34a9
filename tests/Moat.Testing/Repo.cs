namespace Moat.Testing;

/// <summary>Paths of the repository and of the built hosts, in this test run's build configuration.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>"release" or "debug": tests run the hosts built in the same configuration as themselves.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;

    public static string HostAssembly(string project) =>
        Path.Combine(Root, "artifacts", "bin", project, Configuration, project + ".dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Microservices.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("tests must run inside the Moat repository");
    }
}
