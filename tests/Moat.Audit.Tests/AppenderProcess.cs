using System.Diagnostics;
using System.Globalization;
using Moat.Testing;

namespace Moat.Audit.Tests;

/// <summary>Runs tests/Moat.Audit.Appender as a real process against the rig's store, collecting the acknowledged sequences.</summary>
internal sealed class AppenderProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<long> _acks = [];
    private readonly TaskCompletionSource<long> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Text.StringBuilder _stderr = new();

    private AppenderProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public static string Dll => Path.Combine(Repo.Root, "artifacts", "bin", "Moat.Audit.Appender", Repo.Configuration, "Moat.Audit.Appender.dll");

    public static async Task<AppenderProcess> StartAsync(AuditRig rig, string writer, int count, int concurrency = 8)
    {
        Assert.True(File.Exists(Dll), $"{Dll} is not built");
        // Each process its own copies: a second start rewriting shared files while the first
        // process reads them gave it a truncated keyring.
        var files = Path.Combine(rig.Directory + "-files", writer);
        Directory.CreateDirectory(files);
        await File.WriteAllBytesAsync(Path.Combine(files, "keyring"), rig.Keyring.Serialize());
        await File.WriteAllBytesAsync(Path.Combine(files, "kek"), rig.KekBytes);
        await File.WriteAllBytesAsync(Path.Combine(files, "signing-key"), rig.Signer.ExportPkcs8PrivateKey());
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
        {
            Dll, "--store", rig.Directory, "--region", AuditRig.Region, "--org", AuditRig.Org, "--writer", writer,
            "--keyring", Path.Combine(files, "keyring"), "--kek", Path.Combine(files, "kek"), "--signing-key", Path.Combine(files, "signing-key"),
            "--count", count.ToString(CultureInfo.InvariantCulture), "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture),
        })
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start the appender");
        var appender = new AppenderProcess(process);
        process.OutputDataReceived += (_, e) => appender.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (appender._stderr)
                {
                    appender._stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return appender;
    }

    public IReadOnlyList<long> Acks
    {
        get
        {
            lock (_acks)
            {
                return [.. _acks];
            }
        }
    }

    public int AckCount
    {
        get
        {
            lock (_acks)
            {
                return _acks.Count;
            }
        }
    }

    /// <summary>Waits for "done"; returns the records the writer reports.</summary>
    public async Task<long> WaitDoneAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException("the appender did not finish: " + Stderr);
        }

        _process.WaitForExit();
        Assert.True(_process.ExitCode == 0, $"appender exit {_process.ExitCode}: {Stderr}");
        return await _done.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    public async Task WaitForAcksAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (AckCount < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {AckCount} acks within {timeout}: {Stderr}");
            Assert.False(_process.HasExited && AckCount < count, $"the appender exited early: {Stderr}");
            await Task.Delay(10);
        }
    }

    public async Task KillAsync()
    {
        Signals.Send(_process.Id, Signals.Sigkill);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit(); // drain the output: every ack printed before the kill is read
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.StartsWith("ack ", StringComparison.Ordinal))
        {
            lock (_acks)
            {
                _acks.Add(long.Parse(line.AsSpan(4), CultureInfo.InvariantCulture));
            }
        }
        else if (line.StartsWith("done ", StringComparison.Ordinal))
        {
            _done.TrySetResult(long.Parse(line.AsSpan(5), CultureInfo.InvariantCulture));
        }
    }
}
