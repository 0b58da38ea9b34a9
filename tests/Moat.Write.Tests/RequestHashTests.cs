using Moat.V1;
using Moat.Write.Writes;

namespace Moat.Write.Tests;

public class RequestHashTests
{
    private static WriteRequest Request(bool reversed, string key = "k", string title = "t")
    {
        var document = new Document { Id = new DocumentId { U64 = 1 } };
        var attributes = new List<(string, AttributeValue)> { ("a", new AttributeValue { IntValue = 1 }), ("b", new AttributeValue { StringValue = title }), ("c", new AttributeValue { BoolValue = true }) };
        if (reversed)
        {
            attributes.Reverse();
        }

        foreach (var (name, value) in attributes)
        {
            document.Attributes.Add(name, value);
        }

        var request = new WriteRequest { Namespace = "docs", IdempotencyKey = key };
        request.Upserts.Add(document);
        return request;
    }

    [Fact]
    public void The_hash_ignores_map_order_and_the_key_but_not_the_content()
    {
        Assert.Equal(RequestHash.Of(Request(false)), RequestHash.Of(Request(true)));
        Assert.Equal(RequestHash.Of(Request(false, key: "one")), RequestHash.Of(Request(false, key: "two")));
        Assert.NotEqual(RequestHash.Of(Request(false)), RequestHash.Of(Request(false, title: "other")));

        var conditioned = Request(false);
        conditioned.VersionCondition = new VersionCondition { ExpectedVersion = 3 };
        Assert.NotEqual(RequestHash.Of(Request(false)), RequestHash.Of(conditioned));
    }
}
