using Moat.Search;

namespace Moat.Testing;

/// <summary>
/// Two engine results are the same: hits in order with scores, attributes and vectors, aggregates
/// and groups. Shared by the suites that compare one reading path with another (linked into
/// Moat.Query.Tests).
/// </summary>
internal static class SearchResultAssert
{
    public static void Same(SearchResult expected, SearchResult actual)
    {
        Assert.Equal(expected.Hits.Select(h => h.Id), actual.Hits.Select(h => h.Id));
        for (var i = 0; i < expected.Hits.Count; i++)
        {
            Assert.Equal(expected.Hits[i].Score, actual.Hits[i].Score, 5);
            Assert.Equal(expected.Hits[i].Attributes.OrderBy(p => p.Key), actual.Hits[i].Attributes.OrderBy(p => p.Key));
            Assert.Equal(expected.Hits[i].Vectors.Keys.Order(), actual.Hits[i].Vectors.Keys.Order());
            foreach (var (k, v) in expected.Hits[i].Vectors)
            {
                Assert.Equal(v, actual.Hits[i].Vectors[k]);
            }
        }

        Assert.Equal(expected.Aggregates.OrderBy(p => p.Key), actual.Aggregates.OrderBy(p => p.Key));
        Assert.Equal(expected.Groups.Count, actual.Groups.Count);
        for (var i = 0; i < expected.Groups.Count; i++)
        {
            Assert.Equal(expected.Groups[i].Key.OrderBy(p => p.Key), actual.Groups[i].Key.OrderBy(p => p.Key));
            Assert.Equal(expected.Groups[i].Values.OrderBy(p => p.Key), actual.Groups[i].Values.OrderBy(p => p.Key));
        }
    }
}
