using System.Diagnostics;

namespace Moat.Keys.RootOfTrust.Tests.Support;

/// <summary>Runs tests/Moat.Keys.HsmProbe as a child process with SOFTHSM2_CONF in its real environment.</summary>
public static class Probe
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static string AssemblyPath
    {
        get
        {
            // artifacts/bin/Moat.Keys.RootOfTrust.Tests/{configuration}/ -> artifacts/bin/Moat.Keys.HsmProbe/{configuration}/
            var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var path = Path.Combine(own.Parent!.Parent!.FullName, "Moat.Keys.HsmProbe", own.Name, "Moat.Keys.HsmProbe.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("build tests/Moat.Keys.HsmProbe first", path);
        }
    }

    public static async Task<Result> RunAsync(SoftHsmFixture hsm, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(AssemblyPath);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["SOFTHSM2_CONF"] = hsm.ConfigPath;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start the probe");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the HSM probe did not finish within 60 s");
        }

        return new Result(process.ExitCode, (await stdout).Trim(), (await stderr).Trim());
    }
}
