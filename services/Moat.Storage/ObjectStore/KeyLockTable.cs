using System.Globalization;
using System.Runtime.InteropServices;

namespace Moat.Storage.ObjectStore;

/// <summary>
/// Exclusive locks per key for the local store's mutations, across threads and processes: the key
/// hashes (stably) to one of <see cref="Stripes"/> lock files under the store's <c>.moat-locks</c>
/// directory; a holder takes the stripe's in-process semaphore, then an flock(2) exclusive lock on
/// the file. The flock is tried without blocking and retried after short waits, so a waiting call
/// holds no thread.
/// </summary>
internal sealed class KeyLockTable : IDisposable
{
    internal const int Stripes = 256;
    internal const string DirectoryName = ".moat-locks";
    private static readonly TimeSpan MaxPoll = TimeSpan.FromMilliseconds(8);

    private readonly string _directory;
    private readonly SemaphoreSlim[] _local;

    internal KeyLockTable(string root)
    {
        _directory = Path.Combine(root, DirectoryName);
        if (!Directory.Exists(_directory))
        {
            PosixFileSystem.CreatePrivateDirectory(_directory);
        }

        _local = new SemaphoreSlim[Stripes];
        for (var i = 0; i < Stripes; i++)
        {
            _local[i] = new SemaphoreSlim(1, 1);
        }
    }

    /// <summary>Waits for the key's lock; dispose the result to release it.</summary>
    internal async ValueTask<Held> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        var stripe = Stripe(key);
        var semaphore = _local[stripe];
        await semaphore.WaitAsync(cancellationToken);
        NativeMethods.SafeFileDescriptor? fd = null;
        try
        {
            var path = Path.Combine(_directory, stripe.ToString("x2", CultureInfo.InvariantCulture));
            fd = NativeMethods.Open(path, NativeMethods.O_RDWR | NativeMethods.O_CREAT | NativeMethods.O_CLOEXEC, 0b110_000_000);
            if (fd.IsInvalid)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException($"open({path}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
            }

            var wait = TimeSpan.FromMilliseconds(1);
            while (NativeMethods.Flock(fd, NativeMethods.LOCK_EX | NativeMethods.LOCK_NB) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == NativeMethods.EINTR)
                {
                    continue;
                }

                if (errno != NativeMethods.EAGAIN)
                {
                    throw new IOException($"flock({path}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
                }

                await Task.Delay(wait, cancellationToken);
                wait = wait * 2 > MaxPoll ? MaxPoll : wait * 2;
            }

            return new Held(fd, semaphore);
        }
        catch
        {
            fd?.Dispose();
            semaphore.Release();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var semaphore in _local)
        {
            semaphore.Dispose();
        }
    }

    /// <summary>FNV-1a: the same stripe for a key in every process (string.GetHashCode is per process).</summary>
    internal static int Stripe(string key)
    {
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Stripes);
    }

    /// <summary>A held lock: closing the descriptor releases the flock, then the semaphore is released.</summary>
    internal readonly struct Held : IDisposable
    {
        private readonly NativeMethods.SafeFileDescriptor _fd;
        private readonly SemaphoreSlim _semaphore;

        internal Held(NativeMethods.SafeFileDescriptor fd, SemaphoreSlim semaphore)
        {
            _fd = fd;
            _semaphore = semaphore;
        }

        public void Dispose()
        {
            _ = NativeMethods.Flock(_fd, NativeMethods.LOCK_UN);
            _fd.Dispose();
            _semaphore.Release();
        }
    }
}
