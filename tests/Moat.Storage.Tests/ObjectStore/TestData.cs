using System.Globalization;
using System.Text;
using Moat.Storage.ObjectStore;

namespace Moat.Storage.Tests.ObjectStore;

/// <summary>Seeded test bytes (never System.Random) and small text helpers.</summary>
internal static class TestData
{
    public static byte[] Bytes(int length, ulong seed)
    {
        var bytes = new byte[length];
        new SplitMix64(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(StoredObject? stored) =>
        stored is null ? "(absent)" : Encoding.UTF8.GetString(stored.Data.Span);

    public static long Number(StoredObject stored) => long.Parse(Text(stored), CultureInfo.InvariantCulture);

    public static byte[] Number(long value) => Utf8(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Every wait in these tests has a limit; a hung test is a failed test.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
}
