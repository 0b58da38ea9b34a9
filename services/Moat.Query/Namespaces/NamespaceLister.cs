using Grpc.Core;
using Moat.Hosting.Errors;
using Moat.Internal.V1;
using Moat.V1;

namespace Moat.Query.Namespaces;

/// <summary>
/// <c>ListNamespaces</c>: the caller's org's directory entries, within the key's namespace scope, in
/// name order, paged by the directory's own token.
/// </summary>
internal sealed class NamespaceLister(Moat.Internal.V1.Directory.DirectoryClient directory)
{
    public const uint DefaultPageSize = 100;
    public const uint MaxPageSize = 1000;

    public async Task<ListNamespacesResponse> ListAsync(PrincipalToken caller, ListNamespacesRequest request, CancellationToken cancellationToken)
    {
        if (request.PageSize > MaxPageSize)
        {
            throw new MoatValidationException("page_size", $"must be between 1 and {MaxPageSize} (0 = {DefaultPageSize})");
        }

        var prefix = NamespaceScope.Intersect(request.Prefix, caller.NamespaceScope);
        if (prefix is null)
        {
            return new ListNamespacesResponse();
        }

        var page = await directory.ListEntriesAsync(new ListEntriesRequest
        {
            Org = caller.Org,
            Prefix = prefix,
            PageSize = request.PageSize == 0 ? DefaultPageSize : request.PageSize,
            PageToken = request.PageToken,
        }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken);

        var response = new ListNamespacesResponse { NextPageToken = page.NextPageToken };
        foreach (var entry in page.Entries)
        {
            response.Namespaces.Add(new NamespaceSummary { Name = entry.NamespaceName, HomeRegion = entry.HomeRegion, CreatedAt = entry.CreatedAt });
        }

        return response;
    }
}
