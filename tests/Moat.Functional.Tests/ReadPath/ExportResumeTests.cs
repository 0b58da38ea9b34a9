using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.V1;

namespace Moat.Functional.Tests.ReadPath;

/// <summary>Export streams a snapshot in id order; a dropped stream resumed from its last cursor returns every document exactly once.</summary>
[Collection(DevStackCollection.Name)]
public sealed class ExportResumeTests : IDisposable
{
    private static readonly int Documents = Environment.GetEnvironmentVariable("MOAT_FULL") == "1" ? 100_000 : 20_000;
    private readonly ReadPathClient _client;

    public ExportResumeTests(DevStackFixture stack) => _client = new ReadPathClient(stack);

    [Fact]
    public async Task A_resumed_export_returns_every_document_exactly_once_from_the_pinned_snapshot()
    {
        const string name = "rp-export";
        await _client.CreateAsync(name, ReadPathClient.Config());
        for (var start = 1; start <= Documents; start += 1000)
        {
            await _client.UpsertAsync(name, Enumerable.Range(start, Math.Min(1000, Documents - start + 1)).Select(i => ReadPathClient.Doc((ulong)i, ReadPathClient.Vector((ulong)i), $"d{i}", i, "e")));
        }

        var request = new ExportRequest { Namespace = name, PageSize = 1000 };
        var seen = new List<ulong>();
        string cursor;
        ulong snapshot;
        using (var cts = new CancellationTokenSource())
        using (var call = _client.Query.Export(request, _client.Key, DateTime.UtcNow.AddMinutes(2), cts.Token))
        {
            // Read three pages, then drop the stream.
            var pages = 0;
            ExportResponse page = null!;
            while (pages < 3 && await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                page = call.ResponseStream.Current;
                seen.AddRange(page.Documents.Select(d => d.Id.U64));
                pages++;
            }

            cursor = page.Cursor;
            snapshot = page.SnapshotVersion;
            cts.Cancel();
        }

        // A write after the first pages is not part of the pinned snapshot.
        await _client.UpsertAsync(name, [ReadPathClient.Doc((ulong)Documents + 1, ReadPathClient.Vector(1), "late", 0, "late")]);

        request.Cursor = cursor;
        using (var resumed = _client.Query.Export(request, _client.Key, DateTime.UtcNow.AddMinutes(2)))
        {
            await foreach (var page in resumed.ResponseStream.ReadAllAsync())
            {
                Assert.Equal(snapshot, page.SnapshotVersion);
                seen.AddRange(page.Documents.Select(d => d.Id.U64));
                if (page.Done)
                {
                    break;
                }
            }
        }

        Assert.Equal(Documents, seen.Count);
        Assert.Equal(Enumerable.Range(1, Documents).Select(i => (ulong)i), seen);
    }

    [Fact]
    public async Task A_cursor_with_another_filter_is_refused()
    {
        const string name = "rp-export-cursor";
        await _client.CreateAsync(name, ReadPathClient.Config());
        await _client.UpsertAsync(name, Enumerable.Range(1, 30).Select(i => ReadPathClient.Doc((ulong)i, ReadPathClient.Vector((ulong)i), "x", i, "e")));
        using var call = _client.Query.Export(new ExportRequest { Namespace = name, PageSize = 10 }, _client.Key, DateTime.UtcNow.AddMinutes(1));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var cursor = call.ResponseStream.Current.Cursor;

        var other = new ExportRequest { Namespace = name, PageSize = 10, Cursor = cursor, Filter = ReadPathClient.Eq("tag", new AttributeValue { StringValue = "e" }) };
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var bad = _client.Query.Export(other, _client.Key, DateTime.UtcNow.AddMinutes(1));
            await bad.ResponseStream.MoveNext(CancellationToken.None);
        });
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("CURSOR_INVALID", RpcErrors.ReasonOf(e));
    }

    public void Dispose() => _client.Dispose();
}
