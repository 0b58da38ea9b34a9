using System.Runtime.InteropServices;
using System.Text;
using Moat.V1;

namespace Moat.Functional.Tests.Write;

/// <summary>
/// Nothing at rest is plaintext customer data (DESIGN section 6): a recognisable string attribute
/// and vector written through the gateway with the dev profile's API key appear nowhere on disk —
/// not in the data store, the key store, the logs, nor any other file of the stack's state.
/// </summary>
[Collection(DevStackCollection.Name)]
public sealed class CanaryAtRestTests : IAsyncLifetime
{
    private readonly DevStackFixture _stack;
    private readonly WriteTestKit _kit;

    public CanaryAtRestTests(DevStackFixture stack)
    {
        _stack = stack;
        _kit = new WriteTestKit(stack);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_written_canary_string_and_vector_appear_in_no_file_of_the_stack()
    {
        var canary = $"MOAT-CANARY-{Guid.NewGuid():N}";
        var vector = Enumerable.Range(0, 4).Select(_ => System.Security.Cryptography.RandomNumberGenerator.GetInt32(1, 1_000_000) / 997f).ToArray();
        var ns = WriteTestKit.NewName("canary");

        var document = WriteTestKit.Doc(42);
        document.Attributes["title"] = new AttributeValue { StringValue = canary };
        document.Vectors["emb"] = new Vector { Values = { vector } };
        var request = WriteTestKit.Upsert(ns, document);
        request.CreateConfig = WriteTestKit.Config();
        request.IdempotencyKey = "canary-write";
        var written = await _kit.WriteAsync(request);
        Assert.True(written.NamespaceCreated);

        // The data is really there (sealed): read back with keys from KeyVault it holds the canary.
        var nsid = (await _kit.NamespaceIdAsync(ns))!;
        var wal = await _kit.ReadWalAsync(nsid);
        var stored = wal.Single().Writes.Single().Operations.Single().Upsert;
        Assert.Equal(canary, stored.Attributes["title"].StringValue);
        Assert.Equal(vector, stored.Vectors["emb"].Values);

        await Task.Delay(TimeSpan.FromSeconds(3)); // let logs and aggregated audit records flush
        var text = Encoding.UTF8.GetBytes(canary);
        var floats = MemoryMarshal.AsBytes(vector.AsSpan()).ToArray();
        var scanned = 0;
        long bytes = 0;
        foreach (var file in Directory.EnumerateFiles(_stack.StateDir, "*", SearchOption.AllDirectories))
        {
            byte[] content;
            try
            {
                content = await File.ReadAllBytesAsync(file);
            }
            catch (IOException)
            {
                continue; // removed while listed (a temp file)
            }

            scanned++;
            bytes += content.Length;
            Assert.True(content.AsSpan().IndexOf(text) < 0, $"the canary string is in plaintext in {file}");
            Assert.True(content.AsSpan().IndexOf(floats) < 0, $"the canary vector's float32 bytes are in plaintext in {file}");
        }

        Assert.True(scanned > 10, $"only {scanned} files scanned");
        Assert.Contains(Directory.EnumerateFiles(_stack.DataStoreDir, "*", SearchOption.AllDirectories), f => f.Contains(nsid, StringComparison.Ordinal));
        Assert.True(Directory.EnumerateFiles(Path.Combine(_stack.StateDir, "logs")).Any(), "no logs were scanned");
        Console.WriteLine($"[canary] {scanned} files, {bytes / 1024} KiB scanned");
    }

    public async Task DisposeAsync() => await _kit.DisposeAsync();
}
