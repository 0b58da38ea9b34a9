using System.Buffers.Binary;
using Google.Protobuf;
using Moat.Gateway.Forwarding;
using Moat.V1;

namespace Moat.Gateway.Tests;

public class GrpcRequestReaderTests
{
    private static MemoryStream Frame(IMessage message, byte compressed = 0)
    {
        var body = message.ToByteArray();
        var frame = new byte[5 + body.Length];
        frame[0] = compressed;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)body.Length);
        body.CopyTo(frame, 5);
        return new MemoryStream(frame);
    }

    [Fact]
    public async Task Reads_the_namespace_from_field_one()
    {
        var (status, ns) = await GrpcRequestReader.ReadNamespaceAsync(Frame(new WriteRequest { Namespace = "docs-1" }), 1024, default);
        Assert.Equal(GrpcRequestReader.Status.Ok, status);
        Assert.Equal("docs-1", ns);
    }

    [Fact]
    public async Task A_message_over_the_limit_is_too_large()
    {
        var (status, _) = await GrpcRequestReader.ReadNamespaceAsync(Frame(new WriteRequest { Namespace = new string('a', 2000) }), 1024, default);
        Assert.Equal(GrpcRequestReader.Status.TooLarge, status);
    }

    [Fact]
    public async Task Compressed_and_truncated_frames_are_reported()
    {
        Assert.Equal(GrpcRequestReader.Status.Compressed, (await GrpcRequestReader.ReadNamespaceAsync(Frame(new WriteRequest(), compressed: 1), 1024, default)).Status);
        Assert.Equal(GrpcRequestReader.Status.Malformed, (await GrpcRequestReader.ReadNamespaceAsync(new MemoryStream([0, 0, 0, 0, 9, 1]), 1024, default)).Status);
        Assert.Equal(GrpcRequestReader.Status.Malformed, (await GrpcRequestReader.ReadNamespaceAsync(new MemoryStream([0, 0, 0, 0, 2, 0x0A, 0x05]), 1024, default)).Status);
    }

    [Fact]
    public void The_last_field_one_wins_as_protobuf_parsers_do()
    {
        var bytes = new WriteRequest { Namespace = "a" }.ToByteArray().Concat(new WriteRequest { Namespace = "b" }.ToByteArray()).ToArray();
        Assert.Equal("b", GrpcRequestReader.Field1String(bytes));
        Assert.Equal("b", WriteRequest.Parser.ParseFrom(bytes).Namespace);
    }
}
