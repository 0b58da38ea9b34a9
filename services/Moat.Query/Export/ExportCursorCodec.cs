using System.Buffers.Text;
using System.Security.Cryptography;
using Google.Protobuf;
using Moat.Hosting.Errors;
using Moat.Internal.V1;
using Moat.V1;

namespace Moat.Query.Export;

/// <summary>
/// Encodes and checks Export cursors (<see cref="ExportCursor"/>, base64url). A cursor that does not
/// parse, names another namespace, or came from a request with another filter or projection is
/// refused with INVALID_ARGUMENT + CURSOR_INVALID.
/// </summary>
internal static class ExportCursorCodec
{
    public const uint Version = 1;
    private const int MaxCursorChars = 4096;

    public static string Encode(ExportCursor cursor) => Base64Url.EncodeToString(cursor.ToByteArray());

    /// <summary>SHA-256 over the parts of the request a cursor binds: filter and projection.</summary>
    public static byte[] Fingerprint(ExportRequest request)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData((request.Filter ?? new Filter()).ToByteArray());
        hash.AppendData("|"u8);
        hash.AppendData((request.Projection ?? new Projection()).ToByteArray());
        return hash.GetHashAndReset();
    }

    public static ExportCursor Decode(string text, string namespaceId, ReadOnlySpan<byte> fingerprint)
    {
        ExportCursor cursor;
        try
        {
            if (text.Length > MaxCursorChars)
            {
                throw new FormatException("too long");
            }

            cursor = ExportCursor.Parser.ParseFrom(Base64Url.DecodeFromChars(text));
        }
        catch (Exception e) when (e is FormatException or InvalidProtocolBufferException)
        {
            throw Invalid("the cursor is malformed");
        }

        if (cursor.Version != Version)
        {
            throw Invalid($"cursor version {cursor.Version} is not supported");
        }

        if (cursor.NamespaceId != namespaceId)
        {
            throw Invalid("the cursor belongs to another namespace");
        }

        if (!fingerprint.SequenceEqual(cursor.RequestFingerprint.Span))
        {
            throw Invalid("filter and projection must equal the original request's");
        }

        if (cursor.LastId is null || cursor.LastId.IdCase == DocumentId.IdOneofCase.None)
        {
            throw Invalid("the cursor names no position");
        }

        return cursor;
    }

    private static MoatValidationException Invalid(string description) =>
        new([new FieldViolation("cursor", description)], ErrorReason.CursorInvalid, null);
}
