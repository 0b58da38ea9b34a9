using System.Globalization;

namespace Moat.Bench.Write;

/// <summary>
/// The physical floor: the durable steps of <c>LocalFileSystemStore.PutAsync</c> with nothing else —
/// a new temp file written unbuffered and fsynced, linked to its name with link(2) (no replace), the
/// directory fsynced, the temp name removed; synchronous on the writer's thread, as the store's
/// put is. No encoding, sealing, hashing or locking.
/// </summary>
internal sealed class BarePut(string directory)
{
    public Task PutAsync(long n, ReadOnlyMemory<byte> bytes)
    {
        var name = Path.Combine(directory, n.ToString("D20", CultureInfo.InvariantCulture));
        var temp = name + ".tmp";
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 0,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            PreallocationSize = bytes.Length,
        };
        using (var stream = new FileStream(temp, options))
        {
            RandomAccess.Write(stream.SafeFileHandle, bytes.Span, 0);
            RandomAccess.FlushToDisk(stream.SafeFileHandle);
        }

        Posix.LinkNoReplace(temp, name);
        Posix.FsyncDirectory(directory);
        File.Delete(temp); // as the store does: after the directory fsync, not itself synced
        return Task.CompletedTask;
    }
}
