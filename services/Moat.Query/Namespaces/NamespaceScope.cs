namespace Moat.Query.Namespaces;

/// <summary>
/// Intersects a listing prefix asked for with an API key's namespace scope (a name prefix; empty =
/// every namespace of the org), so a key never lists names outside its scope.
/// </summary>
internal static class NamespaceScope
{
    /// <summary>The prefix to list with, or null when the two cannot overlap (nothing to list).</summary>
    public static string? Intersect(string requestedPrefix, string scope)
    {
        if (requestedPrefix.StartsWith(scope, StringComparison.Ordinal))
        {
            return requestedPrefix;
        }

        return scope.StartsWith(requestedPrefix, StringComparison.Ordinal) ? scope : null;
    }
}
