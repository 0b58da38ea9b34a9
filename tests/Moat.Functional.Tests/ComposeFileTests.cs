using Moat.Testing;

namespace Moat.Functional.Tests;

/// <summary>docker-compose.yml parses (Debian's docker-compose, no engine needed) and publishes nothing publicly.</summary>
public class ComposeFileTests
{
    [Fact]
    public async Task The_compose_file_parses_and_binds_published_ports_to_loopback_only()
    {
        Assert.True(File.Exists("/usr/bin/docker-compose"), "docker-compose is missing: ./test.sh installs Debian's docker-compose");
        var result = await ProcessRunner.RunAsync("docker-compose", ["-f", Path.Combine(Repo.Root, "docker-compose.yml"), "config"], TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.Output);
        foreach (var service in new[] { "gateway:", "write:", "query:", "keys:", "router:" })
        {
            Assert.Contains(service, result.Stdout, StringComparison.Ordinal);
        }

        // Every published port mapping ("- host:published:target/tcp") binds loopback.
        var mappings = result.Stdout.Split('\n')
            .Select(l => l.Trim())
            .Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^- [0-9.:\[\]a-f]*:?\d+:\d+(/\w+)?$"))
            .ToList();
        Assert.NotEmpty(mappings);
        Assert.All(mappings, m => Assert.StartsWith("- 127.0.0.1:", m, StringComparison.Ordinal));
    }
}
