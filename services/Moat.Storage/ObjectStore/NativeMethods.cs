using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Moat.Storage.ObjectStore;

/// <summary>
/// The few POSIX calls the local store needs that .NET does not expose: link(2) (create a name only
/// if it does not exist), fsync(2) of a directory, and flock(2) on a lock file opened without .NET's
/// own advisory locking. Linux values.
/// </summary>
/// <remarks>
/// Plain <c>DllImport</c> with runtime string marshalling rather than <c>LibraryImport</c>: the
/// source-generated stubs need unsafe code, which Moat.Storage does not allow.
/// </remarks>
internal static class NativeMethods
{
    internal const int ENOENT = 2;
    internal const int EINTR = 4;
    internal const int EAGAIN = 11;
    internal const int EEXIST = 17;
    internal const int ENOTDIR = 20;
    internal const int EISDIR = 21;

    internal const int O_RDONLY = 0;
    internal const int O_RDWR = 2;
    internal const int O_CREAT = 0x40;
    internal const int O_CLOEXEC = 0x80000;

    internal const int LOCK_EX = 2;
    internal const int LOCK_NB = 4;
    internal const int LOCK_UN = 8;

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern SafeFileDescriptor Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int Fsync(SafeFileDescriptor fd);

    [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int Flock(SafeFileDescriptor fd, int operation);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int Close(IntPtr fd);

    /// <summary>A file descriptor from <see cref="Open"/>, closed on dispose.</summary>
    internal sealed class SafeFileDescriptor : SafeHandleMinusOneIsInvalid
    {
        public SafeFileDescriptor()
            : base(ownsHandle: true)
        {
        }

        protected override bool ReleaseHandle() => NativeMethods.Close(handle) == 0;
    }
}
