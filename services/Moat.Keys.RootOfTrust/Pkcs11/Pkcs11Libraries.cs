using System.Reflection;
using System.Runtime.InteropServices;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Moat.Keys.RootOfTrust.Pkcs11;

/// <summary>
/// One loaded (C_Initialize'd) PKCS#11 module per path per process, shared by reference count.
/// PKCS#11 initialisation is process-wide: a second C_Initialize fails and a C_Finalize from one
/// user would end every other user's sessions, so providers lease the module here and the last
/// lease finalises and unloads it.
/// </summary>
internal static class Pkcs11Libraries
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, Entry> Loaded = new(StringComparer.Ordinal);
    private static bool s_resolverSet;

    /// <summary>How many modules are loaded now (for tests of the lifecycle).</summary>
    internal static int LoadedCount
    {
        get
        {
            lock (Gate)
            {
                return Loaded.Count;
            }
        }
    }

    public static Lease Acquire(string libraryPath)
    {
        var fullPath = Path.GetFullPath(libraryPath);
        lock (Gate)
        {
            if (Loaded.TryGetValue(fullPath, out var entry))
            {
                entry.References++;
                return new Lease(fullPath, entry);
            }

            if (!File.Exists(fullPath))
            {
                throw new RootOfTrustException(RootOfTrustFailure.LibraryNotFound,
                    $"{Pkcs11Options.Section}:LibraryPath: the PKCS#11 library '{fullPath}' does not exist.");
            }

            MapLibdl();
            var factories = new Pkcs11InteropFactories();
            IPkcs11Library library;
            try
            {
                library = factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, fullPath, AppType.MultiThreaded);
            }
            catch (Exception e) when (e is UnmanagedException or Pkcs11Exception or DllNotFoundException or BadImageFormatException or EntryPointNotFoundException)
            {
                throw new RootOfTrustException(RootOfTrustFailure.LibraryNotFound,
                    $"{Pkcs11Options.Section}:LibraryPath: '{fullPath}' could not be loaded as a PKCS#11 library ({e.Message}).", e);
            }

            entry = new Entry(factories, library) { References = 1 };
            Loaded[fullPath] = entry;
            return new Lease(fullPath, entry);
        }
    }

    private static void Release(string fullPath, Entry entry)
    {
        lock (Gate)
        {
            if (--entry.References == 0)
            {
                Loaded.Remove(fullPath);
                entry.Library.Dispose();
            }
        }
    }

    /// <summary>Pkcs11Interop 5.3 P/Invokes "libdl", which Debian only ships as libdl.so.2 (without libc6-dev).</summary>
    private static void MapLibdl()
    {
        if (s_resolverSet || !OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // Another component of this process already installed a resolver for Pkcs11Interop.
        }

        s_resolverSet = true;
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name is "libdl" or "libdl.so")
        {
            if (NativeLibrary.TryLoad("libdl.so.2", out var handle) || NativeLibrary.TryLoad("libdl.so", out handle))
            {
                return handle;
            }
        }

        return IntPtr.Zero;
    }

    internal sealed class Entry(Pkcs11InteropFactories factories, IPkcs11Library library)
    {
        public Pkcs11InteropFactories Factories { get; } = factories;

        public IPkcs11Library Library { get; } = library;

        public int References { get; set; }
    }

    /// <summary>A provider's use of a loaded module; disposing it releases the reference.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly string _path;
        private Entry? _entry;

        internal Lease(string path, Entry entry)
        {
            _path = path;
            _entry = entry;
        }

        public Pkcs11InteropFactories Factories => (_entry ?? throw new ObjectDisposedException(nameof(Lease))).Factories;

        public IPkcs11Library Library => (_entry ?? throw new ObjectDisposedException(nameof(Lease))).Library;

        public void Dispose()
        {
            var entry = Interlocked.Exchange(ref _entry, null);
            if (entry is not null)
            {
                Release(_path, entry);
            }
        }
    }
}
