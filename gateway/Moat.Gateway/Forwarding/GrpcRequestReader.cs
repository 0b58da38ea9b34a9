using System.Buffers.Binary;
using Google.Protobuf;

namespace Moat.Gateway.Forwarding;

/// <summary>
/// Reads the one request message of a unary or server-streaming gRPC call from a buffered body,
/// so the gateway can learn the namespace (field 1) and enforce the size limit before forwarding.
/// </summary>
public static class GrpcRequestReader
{
    /// <summary>Outcome of reading the request frame.</summary>
    public enum Status
    {
        Ok,
        TooLarge,
        Compressed,
        Malformed,
    }

    public static async Task<(Status Status, string Namespace)> ReadNamespaceAsync(Stream body, int maxMessageBytes, CancellationToken cancellationToken)
    {
        var (status, ns, _) = await ReadAsync(body, maxMessageBytes, cancellationToken);
        return (status, ns);
    }

    /// <summary>The request message's bytes and its namespace (field 1), or why they cannot be read.</summary>
    public static async Task<(Status Status, string Namespace, byte[] Message)> ReadAsync(Stream body, int maxMessageBytes, CancellationToken cancellationToken)
    {
        var prefix = new byte[5];
        if (!await ReadExactlyOrEndAsync(body, prefix, cancellationToken))
        {
            return (Status.Malformed, string.Empty, []);
        }

        if (prefix[0] != 0)
        {
            return (Status.Compressed, string.Empty, []);
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(prefix.AsSpan(1));
        if (length > (uint)maxMessageBytes)
        {
            return (Status.TooLarge, string.Empty, []);
        }

        var message = new byte[length];
        if (!await ReadExactlyOrEndAsync(body, message, cancellationToken))
        {
            return (Status.Malformed, string.Empty, []);
        }

        try
        {
            return (Status.Ok, Field1String(message), message);
        }
        catch (InvalidProtocolBufferException)
        {
            return (Status.Malformed, string.Empty, []);
        }
    }

    /// <summary>Whether a top-level field is present in the message (without parsing the rest).</summary>
    internal static bool HasField(ReadOnlySpan<byte> message, int number)
    {
        var input = new CodedInputStream(message.ToArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == number)
            {
                return true;
            }

            input.SkipLastField();
        }

        return false;
    }

    /// <summary>The last occurrence of field 1 as a string (protobuf: last one wins), or empty.</summary>
    internal static string Field1String(ReadOnlySpan<byte> message)
    {
        var input = new CodedInputStream(message.ToArray());
        var value = string.Empty;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (tag == WireFormat.MakeTag(1, WireFormat.WireType.LengthDelimited))
            {
                value = input.ReadString();
            }
            else
            {
                input.SkipLastField();
            }
        }

        return value;
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }
}
