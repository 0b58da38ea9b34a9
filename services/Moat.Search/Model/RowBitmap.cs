using System.Buffers;
using System.Numerics;

namespace Moat.Search;

/// <summary>
/// A set of rows of one segment as 64-bit words (bit i of word i / 64). Query-time bitmaps rent
/// their words from the shared pool; dispose them to give the words back.
/// </summary>
public sealed class RowBitmap : IDisposable
{
    private ulong[] words;
    private readonly bool pooled;

    private RowBitmap(int length, ulong[] words, bool pooled)
    {
        Length = length;
        this.words = words;
        this.pooled = pooled;
    }

    /// <summary>Rows 0 .. Length − 1.</summary>
    public int Length { get; }

    public int WordCount => (Length + 63) >> 6;

    public Span<ulong> Words => words.AsSpan(0, WordCount);

    public static int ByteLength(int bits) => (bits + 7) >> 3;

    /// <summary>An empty (or full) bitmap whose words come from the pool.</summary>
    public static RowBitmap Rent(int length, bool full = false)
    {
        var n = (length + 63) >> 6;
        var b = new RowBitmap(length, ArrayPool<ulong>.Shared.Rent(Math.Max(n, 1)), true);
        if (full)
        {
            b.SetAll();
        }
        else
        {
            b.Words.Clear();
        }

        return b;
    }

    /// <summary>A bitmap that owns its words (kept for the life of a snapshot).</summary>
    public static RowBitmap Create(int length, bool full = false)
    {
        var b = new RowBitmap(length, new ulong[Math.Max((length + 63) >> 6, 1)], false);
        if (full)
        {
            b.SetAll();
        }

        return b;
    }

    /// <summary>Rows whose bit is set in an LSB-first byte bitmap (the segment format's presence bitmaps).</summary>
    public static RowBitmap RentFromBytes(ReadOnlySpan<byte> bytes, int length)
    {
        var b = Rent(length);
        var w = b.Words;
        for (var i = 0; i < w.Length; i++)
        {
            ulong v = 0;
            var start = i << 3;
            var end = Math.Min(start + 8, RowBitmap.ByteLength(length));
            for (var j = start; j < end; j++)
            {
                v |= (ulong)bytes[j] << ((j - start) << 3);
            }

            w[i] = v;
        }

        b.TrimTail();
        return b;
    }

    public bool this[int row]
    {
        get => (words[row >> 6] & (1UL << row)) != 0;
        set
        {
            if (value)
            {
                words[row >> 6] |= 1UL << row;
            }
            else
            {
                words[row >> 6] &= ~(1UL << row);
            }
        }
    }

    public void Set(int row) => words[row >> 6] |= 1UL << row;

    public void SetAll()
    {
        Words.Fill(ulong.MaxValue);
        TrimTail();
    }

    public void Clear() => Words.Clear();

    public int PopCount()
    {
        var n = 0;
        foreach (var w in Words)
        {
            n += BitOperations.PopCount(w);
        }

        return n;
    }

    public void And(RowBitmap other)
    {
        var a = Words;
        var b = other.Words;
        for (var i = 0; i < a.Length; i++)
        {
            a[i] &= b[i];
        }
    }

    public void Or(RowBitmap other)
    {
        var a = Words;
        var b = other.Words;
        for (var i = 0; i < a.Length; i++)
        {
            a[i] |= b[i];
        }
    }

    public void AndNot(RowBitmap other)
    {
        var a = Words;
        var b = other.Words;
        for (var i = 0; i < a.Length; i++)
        {
            a[i] &= ~b[i];
        }
    }

    public void Not()
    {
        var a = Words;
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = ~a[i];
        }

        TrimTail();
    }

    public void CopyFrom(RowBitmap other) => other.Words.CopyTo(Words);

    public RowBitmap RentCopy()
    {
        var b = Rent(Length);
        b.CopyFrom(this);
        return b;
    }

    /// <summary>Next set row at or after <paramref name="from"/>, or -1.</summary>
    public int NextSet(int from)
    {
        if (from >= Length)
        {
            return -1;
        }

        var wi = from >> 6;
        var w = words[wi] & (ulong.MaxValue << from);
        var n = WordCount;
        while (true)
        {
            if (w != 0)
            {
                var r = (wi << 6) + BitOperations.TrailingZeroCount(w);
                return r < Length ? r : -1;
            }

            if (++wi >= n)
            {
                return -1;
            }

            w = words[wi];
        }
    }

    public void Dispose()
    {
        if (pooled && words.Length > 0)
        {
            ArrayPool<ulong>.Shared.Return(words);
            words = [];
        }
    }

    private void TrimTail()
    {
        var rem = Length & 63;
        if (rem != 0)
        {
            words[WordCount - 1] &= (1UL << rem) - 1;
        }
    }
}
