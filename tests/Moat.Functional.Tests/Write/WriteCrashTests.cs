using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Moat.Hosting.Clients;
using Moat.Hosting.Identity;
using Moat.Hosting.Tls;
using Moat.Testing;
using Moat.V1;

namespace Moat.Functional.Tests.Write;

/// <summary>
/// Crash durability of the write path: a separate write-service process (same region store, the
/// stack's keys and router) under a steady stream of concurrent writes is killed with SIGKILL at
/// random moments, cycle after cycle. After each kill every acknowledged write is in the WAL at the
/// sequence it was acknowledged with, the sequences are dense from 1, and every entry unseals
/// (read back with keys KeyVault releases to the write identity). An idempotent write acknowledged
/// before a kill is replayed, not applied again, after the restart.
/// </summary>
[Collection(DevStackCollection.Name)]
public sealed class WriteCrashTests : IAsyncLifetime
{
    private const int Cycles = 20;
    private const int Writers = 6;
    private const string WriteMethod = "/moat.v1.WriteService/Write";
    private readonly DevStackFixture _stack;
    private readonly WriteTestKit _kit;
    private readonly int _port = Ports.Free();

    public WriteCrashTests(DevStackFixture stack)
    {
        _stack = stack;
        _kit = new WriteTestKit(stack);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Every_acknowledged_write_survives_sigkill_at_random_moments_and_the_wal_stays_whole()
    {
        var started = Stopwatch.StartNew();
        var ns = WriteTestKit.NewName("crash");
        await _kit.CreateAsync(ns);
        var nsid = (await _kit.NamespaceIdAsync(ns))!;
        var acknowledged = new ConcurrentDictionary<ulong, ulong>();
        long nextId = 0;
        ulong keyedSequence = 0;
        var idempotent = WriteTestKit.Upsert(ns, WriteTestKit.Doc(1_000_000));
        idempotent.IdempotencyKey = "before-the-kill";
        var failures = 0;

        for (var cycle = 0; cycle < Cycles; cycle++)
        {
            using var process = StartWrite();
            using var channel = await ConnectAsync(process);
            var client = new WriteService.WriteServiceClient(channel);

            if (cycle == 0)
            {
                keyedSequence = (await client.WriteAsync(idempotent, Principal(ns, nsid), DateTime.UtcNow.AddSeconds(10))).WalSequence;
            }
            else if (cycle == 1)
            {
                // The process that acknowledged it was killed: the retry finds the first result in the WAL.
                var replay = await client.WriteAsync(idempotent, Principal(ns, nsid), DateTime.UtcNow.AddSeconds(10));
                Assert.True(replay.IdempotentReplay);
                Assert.Equal(keyedSequence, replay.WalSequence);
            }

            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var id = (ulong)Interlocked.Increment(ref nextId);
                    try
                    {
                        var reply = await client.WriteAsync(WriteTestKit.Upsert(ns, WriteTestKit.Doc(id, seed: id)), Principal(ns, nsid), DateTime.UtcNow.AddSeconds(10));
                        acknowledged[id] = reply.WalSequence;
                    }
                    catch (RpcException)
                    {
                        // Killed under the call (or refused while dying): not acknowledged.
                        Interlocked.Increment(ref failures);
                        await Task.Delay(5);
                    }
                }
            })).ToList();

            await Task.Delay(System.Security.Cryptography.RandomNumberGenerator.GetInt32(300, 1200));
            Signals.Send(process.Id, Signals.Sigkill);
            await process.WaitForExitAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers);

            await VerifyAsync(nsid, acknowledged, cycle);
        }

        Console.WriteLine($"[write crash] {Cycles} SIGKILL cycles, {acknowledged.Count} acknowledged writes, {failures} calls cut, {started.Elapsed.TotalSeconds:F0} s");
        Assert.True(acknowledged.Count >= Cycles * 10, $"only {acknowledged.Count} writes were acknowledged");
    }

    private async Task VerifyAsync(string nsid, ConcurrentDictionary<ulong, ulong> acknowledged, int cycle)
    {
        var entries = await _kit.ReadWalAsync(nsid); // every entry unseals and names its namespace and sequence, or this throws
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (ulong)i), entries.Select(e => e.Sequence));
        var committed = new Dictionary<ulong, ulong>();
        foreach (var entry in entries)
        {
            foreach (var operation in entry.Writes.SelectMany(w => w.Operations))
            {
                Assert.True(committed.TryAdd(operation.Upsert.Id.U64, entry.Sequence), $"document {operation.Upsert.Id.U64} was committed twice");
            }
        }

        foreach (var (id, sequence) in acknowledged)
        {
            Assert.True(committed.TryGetValue(id, out var at), $"cycle {cycle}: acknowledged write {id} (sequence {sequence}) is not in the WAL");
            Assert.Equal(sequence, at);
        }
    }

    private Metadata Principal(string ns, string nsid) => Moat.Testing.TestPrincipals.Metadata(_kit.Principal(WriteMethod, ns, nsid));

    private Process StartWrite()
    {
        var pki = _stack.PkiDir;
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            Repo.HostAssembly("Moat.Write"), $"--Moat:Region={StackPki.Region}", "--Moat:TrustDomain=moat.dev", "--Moat:ListenAddress=127.0.0.1", $"--Moat:Port={_port}",
            "--Moat:InstanceId=crash",
            $"--Moat:Tls:CertFile={Path.Combine(pki, "write.crt")}", $"--Moat:Tls:KeyFile={Path.Combine(pki, "write.key")}",
            $"--Moat:Tls:RootCaFile={Path.Combine(pki, "root-ca.crt")}", $"--Moat:Tls:ServiceCaFile={Path.Combine(pki, "service-ca.crt")}",
            $"--Moat:Tls:OperatorCaFile={Path.Combine(pki, "operator-ca.crt")}",
            $"--Moat:Upstreams:keys=https://127.0.0.1:{_stack.InternalPorts["keys"]}", $"--Moat:Upstreams:router=https://127.0.0.1:{_stack.InternalPorts["router"]}",
            $"--Moat:Write:DataStoreDir={_stack.DataStoreDir}",
        })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task<GrpcChannel> ConnectAsync(Process process)
    {
        var trust = TrustBundle.Load(new MoatTlsOptions
        {
            RootCaFile = Path.Combine(_stack.PkiDir, "root-ca.crt"),
            ServiceCaFile = Path.Combine(_stack.PkiDir, "service-ca.crt"),
            OperatorCaFile = Path.Combine(_stack.PkiDir, "operator-ca.crt"),
        }, "moat.dev");
        var handler = InternalChannel.CreateHandler(
            System.Net.Security.SslStreamCertificateContext.Create(_kit.GatewayCertificate, [_kit.Pki.ServiceCa], offline: true),
            trust,
            SpiffeId.ForService("moat.dev", StackPki.Region, "write"));
        var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{_port}", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        await ServiceWait.UntilServingAsync(channel, process, TimeSpan.FromSeconds(60));
        return channel;
    }

    public async Task DisposeAsync() => await _kit.DisposeAsync();
}
