using System.Runtime.InteropServices;

namespace Moat.Storage.ObjectStore;

/// <summary>Durable file-system steps of the local store: no-replace link, directory fsync, directory creation.</summary>
internal static class PosixFileSystem
{
    internal static UnixFileMode DirectoryMode => UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    internal static UnixFileMode FileMode => UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates a directory (and missing parents) with mode 0700.</summary>
    internal static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The local object store needs Linux.");
        }

        Directory.CreateDirectory(path, DirectoryMode);
    }

    /// <summary>Options to create a new file with mode 0600 for writing, unbuffered.</summary>
    internal static FileStreamOptions NewPrivateFile(long preallocationSize = 0)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The local object store needs Linux.");
        }

        return new FileStreamOptions
        {
            Mode = System.IO.FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 0,
            UnixCreateMode = FileMode,
            PreallocationSize = preallocationSize,
        };
    }

    /// <summary>
    /// Gives <paramref name="existingPath"/>'s file the name <paramref name="newPath"/> only if that
    /// name does not exist (link(2) never replaces). Returns false when it exists.
    /// </summary>
    internal static bool TryLinkNoReplace(string existingPath, string newPath)
    {
        while (true)
        {
            if (NativeMethods.Link(existingPath, newPath) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case NativeMethods.EINTR:
                    continue;
                case NativeMethods.EEXIST:
                    return false;
                default:
                    throw new IOException($"link({existingPath}, {newPath}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
            }
        }
    }

    /// <summary>fsync(2) a directory so the names created, replaced or removed in it are durable.</summary>
    internal static void FsyncDirectory(string directory)
    {
        using var fd = NativeMethods.Open(directory, NativeMethods.O_RDONLY | NativeMethods.O_CLOEXEC, 0);
        if (fd.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"open({directory}) for fsync failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }

        while (NativeMethods.Fsync(fd) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != NativeMethods.EINTR)
            {
                throw new IOException($"fsync({directory}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
            }
        }
    }

    /// <summary>
    /// Creates <paramref name="directory"/> (mode 0700) and any missing parents below
    /// <paramref name="root"/>, fsyncing each parent that gained an entry. Returns false when a path
    /// component exists as a file.
    /// </summary>
    internal static bool EnsureDirectory(string root, string directory)
    {
        if (Directory.Exists(directory))
        {
            return true;
        }

        var relative = Path.GetRelativePath(root, directory);
        var current = root;
        foreach (var segment in relative.Split('/'))
        {
            var parent = current;
            current = Path.Combine(current, segment);
            if (Directory.Exists(current))
            {
                continue;
            }

            if (File.Exists(current))
            {
                return false;
            }

            try
            {
                CreatePrivateDirectory(current);
            }
            catch (IOException) when (File.Exists(current))
            {
                return false;
            }

            FsyncDirectory(parent);
        }

        return true;
    }
}
