using Google.Protobuf;
using Moat.Hosting.Errors;
using Moat.Internal.V1;
using Moat.Query.Export;
using Moat.V1;

namespace Moat.Query.Tests;

public sealed class ExportCursorCodecTests
{
    private static ExportRequest Request(string tag) => new()
    {
        Namespace = "ns",
        Filter = new Filter { Predicate = new Moat.V1.Predicate { Attribute = "tag", Op = FilterOperator.Eq, Value = new AttributeValue { StringValue = tag } } },
    };

    private static string Cursor(ExportRequest request, string nsid = "nsid-1") => ExportCursorCodec.Encode(new ExportCursor
    {
        Version = ExportCursorCodec.Version,
        NamespaceId = nsid,
        ManifestVersion = 3,
        WalSequence = 42,
        LastId = new DocumentId { U64 = 7 },
        RequestFingerprint = ByteString.CopyFrom(ExportCursorCodec.Fingerprint(request)),
    });

    [Fact]
    public void A_cursor_round_trips_for_the_same_request_and_namespace()
    {
        var request = Request("a");
        var cursor = ExportCursorCodec.Decode(Cursor(request), "nsid-1", ExportCursorCodec.Fingerprint(request));
        Assert.Equal(42UL, cursor.WalSequence);
        Assert.Equal(3UL, cursor.ManifestVersion);
        Assert.Equal(7UL, cursor.LastId.U64);
    }

    [Theory]
    [InlineData("not base64 !!")]
    [InlineData("AAAA")]
    public void A_malformed_cursor_is_cursor_invalid(string text)
    {
        var e = Assert.Throws<MoatValidationException>(() => ExportCursorCodec.Decode(text, "nsid-1", ExportCursorCodec.Fingerprint(Request("a"))));
        Assert.Equal(ErrorReason.CursorInvalid, e.Reason);
        Assert.Equal("cursor", Assert.Single(e.Violations).Field);
    }

    [Fact]
    public void A_cursor_of_another_namespace_or_another_filter_is_refused()
    {
        var request = Request("a");
        Assert.Equal(ErrorReason.CursorInvalid, Assert.Throws<MoatValidationException>(() => ExportCursorCodec.Decode(Cursor(request, "nsid-2"), "nsid-1", ExportCursorCodec.Fingerprint(request))).Reason);
        Assert.Equal(ErrorReason.CursorInvalid, Assert.Throws<MoatValidationException>(() => ExportCursorCodec.Decode(Cursor(request), "nsid-1", ExportCursorCodec.Fingerprint(Request("b")))).Reason);
    }
}
