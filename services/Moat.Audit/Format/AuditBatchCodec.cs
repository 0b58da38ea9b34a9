using Google.Protobuf;
using Moat.Internal.V1;
using Moat.Storage.ObjectStore;
using Moat.Storage.Sealing;

namespace Moat.Audit;

/// <summary>Reads stored batches back: unseal under the org's audit keyring, parse, check identity against the path.</summary>
internal static class AuditBatchCodec
{
    /// <summary>The outcome of reading one batch: the batch, or what is wrong with it.</summary>
    public readonly record struct ReadResult(AuditBatch? Batch, string? Problem);

    public static async Task<ReadResult> ReadAsync(IObjectStore store, string org, string writer, long sequence, IDataKeySource keys,
        CancellationToken cancellationToken)
    {
        var path = AuditPaths.Batch(org, writer, sequence);
        var stored = await store.GetAsync(path, null, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return new(null, "batch missing");
        }

        return await OpenAsync(stored.Data, path, org, writer, sequence, keys, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<ReadResult> OpenAsync(ReadOnlyMemory<byte> sealedBytes, string path, string org, string writer, long sequence,
        IDataKeySource keys, CancellationToken cancellationToken)
    {
        byte[] plaintext;
        try
        {
            plaintext = await SealedObjectReader.UnsealAsync(sealedBytes, path, keys, cancellationToken).ConfigureAwait(false);
        }
        catch (SealedObjectIntegrityException e)
        {
            return new(null, $"batch seal does not verify ({e.Failure})");
        }

        AuditBatch batch;
        try
        {
            batch = AuditBatch.Parser.ParseFrom(plaintext);
        }
        catch (InvalidProtocolBufferException)
        {
            return new(null, "batch is not a valid AuditBatch");
        }

        if (!AuditFormat.IsReadable(batch.FormatVersion))
        {
            return new(null, $"batch format version {batch.FormatVersion} is not readable");
        }

        if (!string.Equals(batch.Org, org, StringComparison.Ordinal) || !string.Equals(batch.Writer, writer, StringComparison.Ordinal)
            || batch.BatchSequence != (ulong)sequence)
        {
            return new(null, "batch names another org, writer or sequence than its path");
        }

        if (batch.Records.Count == 0)
        {
            return new(null, "batch holds no records");
        }

        return new(batch, null);
    }

    /// <summary>Parses one record of a batch; null when the bytes are not a record.</summary>
    public static AuditRecord? TryParseRecord(ByteString bytes)
    {
        try
        {
            return AuditRecord.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
