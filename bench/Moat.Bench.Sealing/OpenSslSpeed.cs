using System.Diagnostics;
using System.Globalization;

namespace Moat.Bench.Sealing;

/// <summary>Runs <c>openssl speed -evp aes-256-gcm -bytes N</c> and parses its throughput.</summary>
internal static class OpenSslSpeed
{
    public static string Command(int bytes, int seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"openssl speed -evp aes-256-gcm -bytes {bytes} -seconds {seconds}");

    /// <summary>Throughput in MB/s (10^6 bytes per second), or null when openssl is missing or its output unreadable.</summary>
    public static double? MegabytesPerSecond(int bytes, int seconds)
    {
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "speed", "-evp", "aes-256-gcm", "-bytes", bytes.ToString(CultureInfo.InvariantCulture), "-seconds", seconds.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var stderr = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            _ = stderr.Result;
            return Parse(output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Reads the "AES-256-GCM   3934129.39k" line: thousands of bytes per second.</summary>
    internal static double? Parse(string output)
    {
        foreach (var line in output.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 2 && fields[0].Equals("AES-256-GCM", StringComparison.OrdinalIgnoreCase) && fields[1].EndsWith('k')
                && double.TryParse(fields[1].AsSpan(0, fields[1].Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var thousands))
            {
                return thousands * 1000 / 1e6;
            }
        }

        return null;
    }
}
