using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Moat.Storage.ObjectStore;

/// <summary>
/// The embedded object store: one file per object under a root directory (Linux).
/// </summary>
/// <remarks>
/// <para>Put writes the object to a temp file in the key's directory and fsyncs it; then, holding the
/// key's lock (<see cref="KeyLockTable"/>: in-process semaphore + flock(2), so across processes too),
/// if-absent gives it the key's name with link(2), which never replaces (EEXIST: precondition
/// failed), unconditional put renames it over the key (rename(2) is atomic), and if-match checks the
/// stored ETag and renames while still holding the lock (compare-and-swap); finally the directory
/// is fsynced. Readers never lock: a rename replaces the name atomically and an open file keeps the
/// content it had.</para>
/// <para>ETag: the first 128 bits of the content's SHA-256, in hex, kept in the file's header
/// (<see cref="LocalObjectFile"/>). Files are mode 0600, directories 0700. Names starting with
/// ".moat-" are the store's own (temp files, <c>.moat-locks/</c>, the region marker) and are never
/// listed. Empty directories are left behind by delete. A key cannot be both an object and a
/// directory of other keys ("a" and "a/b"); such a put fails with <see cref="ObjectStoreException"/>.</para>
/// </remarks>
public sealed class LocalFileSystemStore : IObjectStore, IDisposable
{
    private readonly string _root;
    private readonly KeyLockTable _locks;

    /// <summary>
    /// Opens (creating if needed, mode 0700) the store at <paramref name="rootDirectory"/> for
    /// <paramref name="region"/>. The first open records the region in the root; opening a root that
    /// belongs to another region throws <see cref="ObjectStoreRegionMismatchException"/>.
    /// </summary>
    public LocalFileSystemStore(string rootDirectory, string region)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        RegionMarker.ValidateRegion(region);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The local file-system object store needs Linux (link(2), flock(2), directory fsync).");
        }

        _root = Path.GetFullPath(rootDirectory);
        if (!Directory.Exists(_root))
        {
            PosixFileSystem.CreatePrivateDirectory(_root);
        }

        RegionMarker.Bind(_root, region);
        Region = region;
        _locks = new KeyLockTable(_root);
    }

    public string Region { get; }

    /// <summary>The root directory (full path).</summary>
    public string RootDirectory => _root;

    public async Task<StoredObject?> GetAsync(string key, ByteRange? range, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        using var handle = TryOpenRead(key);
        if (handle is null)
        {
            return null;
        }

        var metadata = ReadMetadata(handle, key);
        var (offset, count) = range is { } r ? r.Resolve(key, metadata.Length) : (0, metadata.Length);
        if (count > Array.MaxLength)
        {
            throw new ObjectStoreException(key, $"Object '{key}': a read of {count} bytes is larger than one buffer; read it in ranges.");
        }

        var buffer = new byte[count];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await RandomAccess.ReadAsync(handle, buffer.AsMemory(filled), LocalObjectFile.HeaderLength + offset + filled, cancellationToken);
            if (n == 0)
            {
                throw new ObjectStoreException(key, $"Object '{key}': the file ended early.");
            }

            filled += n;
        }

        return new StoredObject(metadata, buffer, offset);
    }

    public Task<ObjectMetadata?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        using var handle = TryOpenRead(key);
        return Task.FromResult(handle is null ? null : ReadMetadata(handle, key));
    }

    public async Task<string> PutAsync(string key, ReadOnlyMemory<byte> data, PutCondition condition, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        ArgumentNullException.ThrowIfNull(condition);
        cancellationToken.ThrowIfCancellationRequested();

        var path = PathOf(key);
        var directory = Path.GetDirectoryName(path)!;
        if (!PosixFileSystem.EnsureDirectory(_root, directory))
        {
            throw KeyConflict(key);
        }

        var (header, etag) = LocalObjectFile.CreateHeader(data.Span);
        var temp = Path.Combine(directory, ObjectKey.ReservedSegmentPrefix + "tmp-" + RandomNumberGenerator.GetHexString(16, lowercase: true));
        try
        {
            WriteDurably(temp, header, data);
            using (await _locks.AcquireAsync(key, cancellationToken))
            {
                switch (condition.Kind)
                {
                    case PutConditionKind.IfAbsent:
                        if (!PosixFileSystem.TryLinkNoReplace(temp, path))
                        {
                            throw Directory.Exists(path)
                                ? KeyConflict(key)
                                : new ObjectStorePreconditionFailedException(key, condition, "the key exists");
                        }

                        break;

                    case PutConditionKind.IfMatch:
                        var current = TryReadETag(key);
                        if (current != condition.ETag)
                        {
                            throw new ObjectStorePreconditionFailedException(key, condition, current is null ? "the object is absent" : $"the stored ETag is {current}");
                        }

                        Replace(temp, path, key);
                        break;

                    default:
                        Replace(temp, path, key);
                        break;
                }

                PosixFileSystem.FsyncDirectory(directory);
            }
        }
        catch (IOException e)
        {
            throw new ObjectStoreException(key, $"Object '{key}': the local store could not write it: {e.Message}", e);
        }
        finally
        {
            File.Delete(temp);
        }

        return etag;
    }

    public async IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, string? startAfter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectKey.ValidatePrefix(prefix);
        await Task.Yield();
        foreach (var key in LocalStoreWalker.Keys(_root, prefix, startAfter))
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var handle = TryOpenRead(key);
            if (handle is not null)
            {
                yield return ReadMetadata(handle, key); // else: deleted since the directory was read
            }
        }
    }

    public async Task DeleteAsync(string key, string? ifMatchETag, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        var path = PathOf(key);
        var directory = Path.GetDirectoryName(path)!;
        using (await _locks.AcquireAsync(key, cancellationToken))
        {
            if (!File.Exists(path))
            {
                return; // absent (or a directory of other keys): nothing to delete
            }

            if (ifMatchETag is not null)
            {
                var current = TryReadETag(key);
                if (current is null)
                {
                    return;
                }

                if (current != ifMatchETag)
                {
                    throw new ObjectStorePreconditionFailedException(key, PutCondition.IfMatch(ifMatchETag), $"the stored ETag is {current}");
                }
            }

            try
            {
                File.Delete(path);
                PosixFileSystem.FsyncDirectory(directory);
            }
            catch (IOException e)
            {
                throw new ObjectStoreException(key, $"Object '{key}': the local store could not delete it: {e.Message}", e);
            }
        }
    }

    public void Dispose() => _locks.Dispose();

    public override string ToString() => $"local store {_root} (region {Region})";

    private string PathOf(string key) => Path.Combine(_root, key);

    /// <summary>
    /// Header and content in one gathered write (pwritev), then fsync, on the calling thread: the
    /// fsync blocks it anyway, and a synchronous write saves a thread-pool hop per buffer.
    /// </summary>
    private static void WriteDurably(string temp, byte[] header, ReadOnlyMemory<byte> data)
    {
        using var stream = new FileStream(temp, PosixFileSystem.NewPrivateFile(header.Length + data.Length));
        RandomAccess.Write(stream.SafeFileHandle, [header, data], 0);
        RandomAccess.FlushToDisk(stream.SafeFileHandle);
    }

    private static void Replace(string temp, string path, string key)
    {
        try
        {
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException) when (Directory.Exists(path))
        {
            throw KeyConflict(key);
        }
    }

    private SafeFileHandle? TryOpenRead(string key)
    {
        var path = PathOf(key);
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(path))
        {
            return null; // a directory of other keys: no object has this key
        }
        catch (IOException) when (File.Exists(Path.GetDirectoryName(path)))
        {
            return null; // a parent is an object, so nothing can be below it
        }
    }

    private string? TryReadETag(string key)
    {
        using var handle = TryOpenRead(key);
        return handle is null ? null : LocalObjectFile.ReadHeader(handle, key).ETag;
    }

    private static ObjectMetadata ReadMetadata(SafeFileHandle handle, string key)
    {
        var (etag, length) = LocalObjectFile.ReadHeader(handle, key);
        return new ObjectMetadata(key, etag, length, new DateTimeOffset(File.GetLastWriteTimeUtc(handle), TimeSpan.Zero));
    }

    private static ObjectStoreException KeyConflict(string key) =>
        new(key, $"Object '{key}' cannot be stored: the local store cannot hold both a key and keys below it (another key is '{key}/...' or a prefix of '{key}' is an object).");
}
