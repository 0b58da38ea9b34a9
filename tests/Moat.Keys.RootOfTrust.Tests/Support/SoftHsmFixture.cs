using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Moat.Keys.RootOfTrust.Pkcs11;

namespace Moat.Keys.RootOfTrust.Tests.Support;

/// <summary>
/// A real SoftHSM installation for the test run: a softhsm2.conf whose token directory is a fresh
/// temp directory, and two tokens initialised with softhsm2-util (one for the tests, one that the
/// wrong-PIN test may hammer). SOFTHSM2_CONF is put in this process's NATIVE environment with
/// libc setenv before any test loads the module: SoftHSM reads it with getenv at C_Initialize, and
/// Environment.SetEnvironmentVariable only changes .NET's own copy on Unix (verified: with it
/// SoftHSM still reads /etc/softhsm/softhsm2.conf). Child processes get it in their environment.
/// </summary>
public sealed partial class SoftHsmFixture : IDisposable
{
    public const string Library = "/usr/lib/softhsm/libsofthsm2.so";
    private const string SoPin = "87654321";

    public SoftHsmFixture()
    {
        if (!File.Exists(Library))
        {
            throw new InvalidOperationException($"{Library} is missing: install the Debian package softhsm2 (apt-get install softhsm2).");
        }

        Directory = System.IO.Directory.CreateTempSubdirectory("moat-softhsm-").FullName;
        var tokens = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "tokens")).FullName;
        ConfigPath = Path.Combine(Directory, "softhsm2.conf");
        File.WriteAllText(ConfigPath, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");

        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        TokenLabel = $"moat-test-{suffix}";
        SpareTokenLabel = $"moat-pin-{suffix}";
        Pin = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        InitToken(TokenLabel);
        InitToken(SpareTokenLabel);
        PinFile = WritePinFile("pin", Pin);

        if (setenv("SOFTHSM2_CONF", ConfigPath, 1) != 0)
        {
            throw new InvalidOperationException("setenv(SOFTHSM2_CONF) failed");
        }

        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", ConfigPath);
    }

    public string Directory { get; }

    public string ConfigPath { get; }

    public string TokenLabel { get; }

    public string SpareTokenLabel { get; }

    public string Pin { get; }

    public string PinFile { get; }

    public Pkcs11Options Options(int maxSessions = 8, string? tokenLabel = null, string? pinFile = null) => new()
    {
        LibraryPath = Library,
        TokenLabel = tokenLabel ?? TokenLabel,
        PinFile = pinFile ?? PinFile,
        MaxSessions = maxSessions,
    };

    public Pkcs11RootKeyProvider Provider(int maxSessions = 8) => new(Options(maxSessions), NullLogger<Pkcs11RootKeyProvider>.Instance);

    /// <summary>A fresh root key id, so tests do not share keys.</summary>
    public static string NewKeyId(string what) => $"{what}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    public string WritePinFile(string name, string pin)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, pin + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory.
        }
    }

    private void InitToken(string label)
    {
        var info = new ProcessStartInfo("softhsm2-util")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--init-token", "--free", "--label", label, "--so-pin", SoPin, "--pin", Pin })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["SOFTHSM2_CONF"] = ConfigPath;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start softhsm2-util");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill();
            throw new TimeoutException("softhsm2-util --init-token did not finish within 30 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"softhsm2-util --init-token failed ({process.ExitCode}): {output.Result}{error.Result}");
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int setenv(string name, string value, int overwrite);
}

[CollectionDefinition(Name)]
public sealed class SoftHsmCollection : ICollectionFixture<SoftHsmFixture>
{
    public const string Name = "softhsm";
}
