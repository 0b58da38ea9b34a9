using System.Security.Cryptography;
using System.Text;

namespace Moat.Storage.ObjectStore;

/// <summary>
/// Binds a local store's root to one region: the file <see cref="FileName"/> records the region of
/// the first service that opened it (created no-replace, so two first openers cannot both win), and
/// every later open must serve the same region.
/// </summary>
internal static class RegionMarker
{
    internal const string FileName = ".moat-store-region";

    /// <summary>Checks a region name: 1-63 characters of [A-Za-z0-9._-].</summary>
    internal static void ValidateRegion(string region)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        if (region.Length > 63 || !region.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"Region '{region}' is not a region name: 1-63 characters of letters, digits, '-', '_' and '.'.", nameof(region));
        }
    }

    /// <summary>Records <paramref name="region"/> in <paramref name="root"/> if none is recorded; throws if another is.</summary>
    internal static void Bind(string root, string region)
    {
        var marker = Path.Combine(root, FileName);
        var recorded = TryRead(marker);
        if (recorded is null)
        {
            var temp = Path.Combine(root, ObjectKey.ReservedSegmentPrefix + "tmp-" + RandomNumberGenerator.GetHexString(16, lowercase: true));
            try
            {
                using (var stream = new FileStream(temp, PosixFileSystem.NewPrivateFile()))
                {
                    stream.Write(Encoding.ASCII.GetBytes(region + "\n"));
                    stream.Flush(flushToDisk: true);
                }

                if (PosixFileSystem.TryLinkNoReplace(temp, marker))
                {
                    PosixFileSystem.FsyncDirectory(root);
                    return;
                }
            }
            finally
            {
                File.Delete(temp);
            }

            recorded = TryRead(marker);
        }

        if (recorded != region)
        {
            throw new ObjectStoreRegionMismatchException(root, recorded ?? "(unreadable)", region);
        }
    }

    private static string? TryRead(string marker)
    {
        try
        {
            return File.ReadAllText(marker, Encoding.ASCII).Trim();
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }
}
