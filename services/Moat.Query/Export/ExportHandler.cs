using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Internal.V1;
using Moat.Keys.Client;
using Moat.Query.Mapping;
using Moat.Query.Reading;
using Moat.Query.Snapshots;
using Moat.Query.Validation;
using Moat.Search;
using Moat.V1;
using EnginePredicate = Moat.Search.Predicate;

namespace Moat.Query.Export;

/// <summary>
/// Export: every document matching a filter, in id order, from one snapshot, a page per message.
/// Each page carries a cursor pinning the snapshot (manifest version + WAL sequence) and the last id
/// sent, so a dropped stream resumes exactly after it. The key's state is checked before every page:
/// a key disabled or destroyed mid-stream ends it with KEY_DISABLED / KEY_DESTROYED at its next page.
/// </summary>
internal sealed class ExportHandler(SnapshotCache cache, KeyVaultKeySource keys, QueryHandler queries)
{
    public const uint DefaultPageSize = 1000;
    public const uint MaxPageSize = 10_000;

    public async Task ExportAsync(ReadContext read, ExportRequest request, IServerStreamWriter<ExportResponse> stream, CancellationToken cancellationToken)
    {
        if (request.PageSize > MaxPageSize)
        {
            throw new MoatValidationException("page_size", $"must be between 1 and {MaxPageSize} (0 = {DefaultPageSize})");
        }

        var pageSize = (int)(request.PageSize == 0 ? DefaultPageSize : request.PageSize);
        var fingerprint = ExportCursorCodec.Fingerprint(request);
        var cursor = request.Cursor.Length == 0 ? null : ExportCursorCodec.Decode(request.Cursor, read.NamespaceId, fingerprint);
        await GateAsync(read, cancellationToken).ConfigureAwait(false);

        // The caller's keys live for the stream: later pages may read more of the store (each page passes the key gate first).
        using var callerKeys = new CallerKeySource(keys, read.Access);
        var view = cursor is null
            ? await cache.GetAsync(read, callerKeys, Consistency.Strong, new ReadStats(), cancellationToken).ConfigureAwait(false)
            : await cache.GetPinnedAsync(read, callerKeys, cursor.ManifestVersion, cursor.WalSequence, cancellationToken).ConfigureAwait(false);

        var schema = view.Meta.Meta.Config;
        var violations = new Violations();
        if (request.Filter is { } f)
        {
            FilterValidator.Validate(f, schema, "filter", violations);
        }

        var projection = request.Projection ?? new Moat.V1.Projection();
        QuerySpecValidator.Validate(new QuerySpec { Projection = projection }, schema, "request", violations);
        violations.ThrowIfAny();

        var filter = request.Filter is { } given ? QueryMapper.ToEngine(given, schema) : null;
        var engineProjection = QueryMapper.ToEngine(projection);
        var manifestVersion = view.Store.Manifest?.Version ?? 0;
        var after = cursor?.LastId;
        var sent = cursor?.Sent ?? 0;
        while (true)
        {
            var pageFilter = after is null ? filter : And(filter, new EnginePredicate("id", FilterOp.Gt, IdOperand(after)));
            var result = await queries.SearchAsync(view, new SearchQuery { Filter = pageFilter, TopK = pageSize, Projection = engineProjection }, "request", callerKeys, read, cancellationToken).ConfigureAwait(false);
            var page = new ExportResponse { SnapshotVersion = view.Version };
            foreach (var hit in result.Hits)
            {
                page.Documents.Add(QueryMapper.ToDocument(hit));
            }

            sent += (ulong)page.Documents.Count;
            page.Done = result.Hits.Count < pageSize;
            if (page.Documents.Count > 0)
            {
                after = page.Documents[^1].Id;
            }

            if (after is not null)
            {
                page.Cursor = ExportCursorCodec.Encode(new ExportCursor
                {
                    Version = ExportCursorCodec.Version,
                    NamespaceId = read.NamespaceId,
                    ManifestVersion = manifestVersion,
                    WalSequence = view.Version,
                    LastId = after,
                    RequestFingerprint = Google.Protobuf.ByteString.CopyFrom(fingerprint),
                    Sent = sent,
                });
            }

            await stream.WriteAsync(page, cancellationToken).ConfigureAwait(false);
            if (page.Done)
            {
                return;
            }

            // Before the next page: the key must still be usable (a drop by the cache's recheck, or KeyVault, ends the stream).
            await GateAsync(read, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task GateAsync(ReadContext read, CancellationToken cancellationToken) => queries.KeyGateAsync(read, cancellationToken);

    private static FilterExpr And(FilterExpr? filter, FilterExpr next) => filter is null ? next : new AndFilter([filter, next]);

    private static FieldValue IdOperand(DocumentId id) => id.IdCase switch
    {
        DocumentId.IdOneofCase.U64 => FieldValue.UInt64(id.U64),
        DocumentId.IdOneofCase.Uuid => FieldValue.Uuid(Guid.Parse(id.Uuid)),
        _ => FieldValue.String(id.Text),
    };
}
