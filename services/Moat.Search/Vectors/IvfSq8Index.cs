using System.Buffers;
using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Moat.Search.Vectors;

/// <summary>
/// IVF with an 8-bit scalar-quantized first pass and an exact re-rank. k-means splits the rows into
/// inverted lists; each list holds its rows' SQ8 codes. A query ranks the centroids, scores the
/// codes of the accepted rows in the nearest lists (widening past <c>probes</c> lists until as many
/// accepted rows were scored as an unfiltered search would score), keeps the best
/// k × rerank-factor, and re-ranks those on the column's floats. The probe count is calibrated at
/// build time on the index's own rows (<see cref="ProbeCalibration"/>) and stored with it. Cosine
/// columns are indexed normalised. Memory: d + 8 bytes per row plus the centroids (docs/search.md).
/// </summary>
public sealed class IvfSq8Index : IVectorIndex
{
    public const string KindName = "ivf-sq8";
    /// <summary>Version written: 2 stores the calibrated probes in the header (version 1 held zeros there).</summary>
    public const uint FormatVersion = 2;

    /// <summary>Oldest version read (a rolling upgrade never strands an index).</summary>
    public const uint MinFormatVersion = 1;
    private const int HeaderLength = 24;
    private const int DefaultRerankFactor = 4;

    private readonly ReadOnlyMemory<byte> mins;
    private readonly ReadOnlyMemory<byte> scales;
    private readonly ReadOnlyMemory<byte> centroids;
    private readonly ReadOnlyMemory<byte> offsets;
    private readonly ReadOnlyMemory<byte> rows;
    private readonly ReadOnlyMemory<byte> norms;
    private readonly ReadOnlyMemory<byte> codes;
    private readonly int probesSmall;
    private readonly int probesLarge;
    private float[]? centroidNorms;

    private IvfSq8Index(int dims, VectorMetric metric, int lists, int count, int probesSmall, int probesLarge, ReadOnlyMemory<byte> mins, ReadOnlyMemory<byte> scales, ReadOnlyMemory<byte> centroids, ReadOnlyMemory<byte> offsets, ReadOnlyMemory<byte> rows, ReadOnlyMemory<byte> norms, ReadOnlyMemory<byte> codes)
    {
        Dimensions = dims;
        Metric = metric;
        Lists = lists;
        Count = count;
        this.probesSmall = probesSmall;
        this.probesLarge = probesLarge;
        this.mins = mins;
        this.scales = scales;
        this.centroids = centroids;
        this.offsets = offsets;
        this.rows = rows;
        this.norms = norms;
        this.codes = codes;
    }

    public string Kind => KindName;

    public int Dimensions { get; }

    public VectorMetric Metric { get; }

    public int Lists { get; }

    public int Count { get; }

    public long MemoryBytes => (long)mins.Length + scales.Length + centroids.Length + offsets.Length + rows.Length + norms.Length + codes.Length;

    /// <summary>Lists probed by default for k = 10 (see <see cref="ProbesFor"/>).</summary>
    public int DefaultProbes => ProbesFor(ProbeCalibration.SmallK);

    /// <summary>Whether the probe counts were calibrated on the data (version 2) or follow the fixed rule of version 1.</summary>
    public bool Calibrated => probesSmall > 0;

    /// <summary>
    /// Lists probed by default for a top-k search: the probes calibrated for k = 10 and k = 100,
    /// interpolated (and beyond 100 extrapolated) on log k; an uncalibrated (version 1) index keeps
    /// the fixed rule max(8, ⌈lists / 12⌉).
    /// </summary>
    public int ProbesFor(int k)
    {
        if (!Calibrated)
        {
            return Math.Clamp((int)Math.Ceiling(Lists / 12.0), Math.Min(Lists, 8), Lists);
        }

        if (k <= ProbeCalibration.SmallK)
        {
            return probesSmall;
        }

        var slope = probesLarge - probesSmall;
        var p = probesSmall + (slope * Math.Log10(k / (double)ProbeCalibration.SmallK));
        return Math.Clamp((int)Math.Ceiling(p), probesSmall, Lists);
    }

    private bool Normalized => Metric == VectorMetric.Cosine;

    private ReadOnlySpan<float> Mins => MemoryMarshal.Cast<byte, float>(mins.Span);

    private ReadOnlySpan<float> Scales => MemoryMarshal.Cast<byte, float>(scales.Span);

    private ReadOnlySpan<float> Centroids => MemoryMarshal.Cast<byte, float>(centroids.Span);

    private ReadOnlySpan<uint> Offsets => MemoryMarshal.Cast<byte, uint>(offsets.Span);

    private ReadOnlySpan<uint> Rows => MemoryMarshal.Cast<byte, uint>(rows.Span);

    private ReadOnlySpan<float> Norms => MemoryMarshal.Cast<byte, float>(norms.Span);

    /// <summary>Trains an index over the rows of <paramref name="column"/> that have a vector.</summary>
    public static IvfSq8Index Train(VectorColumn column, IvfSq8Options? options = null)
    {
        ArgumentNullException.ThrowIfNull(column);
        options ??= IvfSq8Options.Default;
        var d = column.Dimensions;
        var present = new List<int>(column.RowCount);
        for (var r = 0; r < column.RowCount; r++)
        {
            if (column.IsPresent(r))
            {
                present.Add(r);
            }
        }

        var n = present.Count;
        var data = new float[(long)n * d];
        for (var i = 0; i < n; i++)
        {
            var dst = data.AsSpan(i * d, d);
            column.Row(present[i], dst).CopyTo(dst);
            if (column.Metric == VectorMetric.Cosine)
            {
                var norm = TensorPrimitives.Norm(dst);
                if (norm > 0)
                {
                    TensorPrimitives.Divide(dst, norm, dst);
                }
            }
        }

        var lists = options.Lists > 0 ? options.Lists : n < 256 ? 1 : Math.Min(4096, (int)Math.Sqrt(n));
        lists = Math.Max(1, Math.Min(lists, Math.Max(n, 1)));
        var rng = new SeededRandom(options.Seed);
        var innerProduct = column.Metric == VectorMetric.Dot;
        float[] cents;
        if (lists == 1 || n == 0)
        {
            cents = new float[d];
            for (var i = 0; i < n; i++)
            {
                TensorPrimitives.Add(cents, data.AsSpan(i * d, d), cents);
            }

            if (n > 0)
            {
                TensorPrimitives.Divide(cents, n, cents);
            }

            lists = 1;
        }
        else
        {
            var sampleSize = options.SampleSize > 0 ? Math.Min(options.SampleSize, n) : Math.Min(n, lists * 128);
            var sample = data;
            if (sampleSize < n)
            {
                var pick = Enumerable.Range(0, n).ToArray();
                sample = new float[(long)sampleSize * d];
                for (var i = 0; i < sampleSize; i++)
                {
                    var j = i + rng.Next(n - i);
                    (pick[i], pick[j]) = (pick[j], pick[i]);
                    data.AsSpan(pick[i] * d, d).CopyTo(sample.AsSpan(i * d, d));
                }
            }

            cents = KMeans.Train(sample, sampleSize, d, lists, options.Iterations, innerProduct, rng);
            lists = cents.Length / d;
        }

        // SQ8 ranges per dimension over every indexed vector.
        var mn = new float[d];
        var mx = new float[d];
        Array.Fill(mn, float.PositiveInfinity);
        Array.Fill(mx, float.NegativeInfinity);
        for (var i = 0; i < n; i++)
        {
            var v = data.AsSpan(i * d, d);
            TensorPrimitives.Min(mn, v, mn);
            TensorPrimitives.Max(mx, v, mx);
        }

        var sc = new float[d];
        for (var x = 0; x < d; x++)
        {
            if (n == 0)
            {
                mn[x] = 0;
            }

            sc[x] = n == 0 ? 0 : (mx[x] - mn[x]) / 255f;
        }

        var assign = new int[n];
        if (lists > 1)
        {
            KMeans.Assign(data, n, d, cents, lists, innerProduct, assign);
        }

        var (probesSmall, probesLarge) = options.CalibrationQueries > 0
            ? ProbeCalibration.Calibrate(data, n, d, cents, lists, assign, innerProduct, options.CalibrationQueries, options.CalibrationRecall, rng)
            : (0, 0);

        var listSizes = new int[lists];
        foreach (var a in assign)
        {
            listSizes[a]++;
        }

        var offs = new uint[lists + 1];
        for (var l = 0; l < lists; l++)
        {
            offs[l + 1] = offs[l] + (uint)listSizes[l];
        }

        var fill = offs[..lists].Select(o => (int)o).ToArray();
        var rowIds = new uint[n];
        var nrm = new float[n];
        var cds = new byte[(long)n * d];
        for (var i = 0; i < n; i++)
        {
            // Rows are visited ascending, so each list's rows stay ascending.
            var slot = fill[assign[i]]++;
            rowIds[slot] = (uint)present[i];
            var code = cds.AsSpan(slot * d, d);
            ScalarQuantizer.Encode(data.AsSpan(i * d, d), mn, sc, code);
            nrm[slot] = ScalarQuantizer.DecodedSquaredNorm(code, mn, sc);
        }

        return new IvfSq8Index(d, column.Metric, lists, n, probesSmall, probesLarge, Bytes(mn), Bytes(sc), Bytes(cents), Bytes(offs), Bytes(rowIds), Bytes(nrm), cds);
    }

    private static byte[] Bytes<T>(T[] values)
        where T : struct => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    /// <summary>
    /// Writes the serialised form (kind "ivf-sq8", version 2): a 24-byte header (u32 dimensions,
    /// u32 lists, u32 rows, u8 metric, 3 zero bytes, u32 probes for k = 10, u32 probes for k = 100;
    /// version 1 had zeros there), then f32 mins[d], f32 scales[d],
    /// f32 centroids[lists × d], u32 list offsets[lists + 1], u32 rows[n], f32 decoded squared
    /// norms[n], u8 codes[n × d], each block zero-padded to 8 bytes. Little-endian.
    /// </summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Span<byte> head = stackalloc byte[HeaderLength];
        head.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(head, (uint)Dimensions);
        BinaryPrimitives.WriteUInt32LittleEndian(head[4..], (uint)Lists);
        BinaryPrimitives.WriteUInt32LittleEndian(head[8..], (uint)Count);
        head[12] = (byte)Metric;
        BinaryPrimitives.WriteUInt32LittleEndian(head[16..], (uint)probesSmall);
        BinaryPrimitives.WriteUInt32LittleEndian(head[20..], (uint)probesLarge);
        output.Write(head);
        Span<byte> zeros = stackalloc byte[8];
        zeros.Clear();
        foreach (var block in new[] { mins, scales, centroids, offsets, rows, norms, codes })
        {
            output.Write(block.Span);
            var pad = (8 - (block.Length & 7)) & 7;
            if (pad > 0)
            {
                output.Write(zeros[..pad]);
            }
        }
    }

    /// <summary>
    /// Views a serialised index (version 1 or 2) without copying; checks it against the column it
    /// belongs to. A version 1 index probes by the fixed rule.
    /// </summary>
    /// <param name="checkRows">
    /// Check every stored row number now (false when the index is read by ranges and its lists are
    /// not in memory yet: each row is then checked when its list is scored).
    /// </param>
    public static IvfSq8Index Load(ReadOnlyMemory<byte> bytes, int dimensions, VectorMetric metric, int rowCount, uint version = FormatVersion, bool checkRows = true)
    {
        if (version is < MinFormatVersion or > FormatVersion)
        {
            throw new FormatException($"ivf-sq8 version {version} is not readable (versions {MinFormatVersion} to {FormatVersion} are).");
        }

        var s = bytes.Span;
        if (s.Length < HeaderLength)
        {
            throw new FormatException("An ivf-sq8 index is shorter than its header.");
        }

        var d = (int)BinaryPrimitives.ReadUInt32LittleEndian(s);
        var lists = (int)BinaryPrimitives.ReadUInt32LittleEndian(s[4..]);
        var n = (int)BinaryPrimitives.ReadUInt32LittleEndian(s[8..]);
        var m = (VectorMetric)s[12];
        if (d != dimensions || m != metric || lists < 1 || n < 0 || n > rowCount)
        {
            throw new FormatException($"The ivf-sq8 index ({d} dimensions, {m}, {n} rows) does not fit its column ({dimensions} dimensions, {metric}, {rowCount} rows).");
        }

        var probesSmall = version >= 2 ? (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(s[16..]), int.MaxValue) : 0;
        var probesLarge = version >= 2 ? (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(s[20..]), int.MaxValue) : 0;
        if (probesSmall > lists || probesLarge > lists || (probesSmall == 0) != (probesLarge == 0) || probesLarge < probesSmall)
        {
            throw new FormatException($"The ivf-sq8 probe counts ({probesSmall}, {probesLarge}) do not fit its {lists} lists.");
        }

        var pos = HeaderLength;
        ReadOnlyMemory<byte> Take(long length)
        {
            if (length > int.MaxValue || pos + length > bytes.Length)
            {
                throw new FormatException("An ivf-sq8 index is truncated.");
            }

            var block = bytes.Slice(pos, (int)length);
            pos += (int)length;
            pos += (8 - (pos & 7)) & 7;
            return block;
        }

        var index = new IvfSq8Index(
            d,
            m,
            lists,
            n,
            probesSmall,
            probesLarge,
            Take(d * 4L),
            Take(d * 4L),
            Take((long)lists * d * 4),
            Take((lists + 1) * 4L),
            Take(n * 4L),
            Take(n * 4L),
            Take((long)n * d));
        var o = index.Offsets;
        if (o[0] != 0 || o[lists] != n)
        {
            throw new FormatException("The ivf-sq8 list offsets do not cover its rows.");
        }

        for (var l = 0; l < lists; l++)
        {
            if (o[l + 1] < o[l])
            {
                throw new FormatException("The ivf-sq8 list offsets are not ascending.");
            }
        }

        if (checkRows)
        {
            foreach (var r in index.Rows)
            {
                if (r >= rowCount)
                {
                    throw new FormatException("An ivf-sq8 index names a row outside its column.");
                }
            }
        }

        return index;
    }

    /// <summary>
    /// Bytes from the start of a serialised index through its list offsets (header, ranges,
    /// centroids, offsets): what must be in memory to <see cref="Load"/> it; the rows, norms and
    /// codes after it are read per list. <paramref name="header"/> is at least the first 24 bytes.
    /// </summary>
    public static long HeadLength(ReadOnlySpan<byte> header)
    {
        if (header.Length < HeaderLength)
        {
            throw new FormatException("An ivf-sq8 index is shorter than its header.");
        }

        long d = BinaryPrimitives.ReadUInt32LittleEndian(header);
        long lists = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        return HeaderLength + Padded(d * 4) + Padded(d * 4) + Padded(lists * d * 4) + Padded((lists + 1) * 4);
    }

    /// <summary>Bytes of the serialised header (enough for <see cref="HeadLength"/>).</summary>
    public const int HeaderBytes = HeaderLength;

    private static long Padded(long length) => (length + 7) & ~7L;

    public int EstimatedCost(int k, AnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var probes = Math.Clamp(options.Probes > 0 ? options.Probes : ProbesFor(k), 1, Lists);
        var factor = options.RerankFactor > 0 ? options.RerankFactor : DefaultRerankFactor;
        return (int)Math.Min(int.MaxValue, ((long)Count * probes / Lists) + Lists + ((long)k * factor));
    }

    public int Search(VectorColumn column, ReadOnlySpan<float> query, RowBitmap? accept, int acceptCount, AnnOptions options, Span<Neighbor> results)
    {
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(options);
        var k = results.Length;
        var d = Dimensions;
        if (k == 0 || Count == 0 || acceptCount == 0)
        {
            return 0;
        }

        var pool = ArrayPool<float>.Shared;
        var q = pool.Rent(d);
        var w = pool.Rent(d);
        var cd = pool.Rent(Lists);
        var order = ArrayPool<int>.Shared.Rent(Lists);
        try
        {
            var qs = q.AsSpan(0, d);
            query.CopyTo(qs);
            if (Normalized)
            {
                var qn = TensorPrimitives.Norm(qs);
                if (qn > 0)
                {
                    TensorPrimitives.Divide(qs, qn, qs);
                }
            }

            // Rank the lists by their centroid.
            var cents = Centroids;
            var cdist = cd.AsSpan(0, Lists);
            var ord = order.AsSpan(0, Lists);
            var cn = CentroidNorms();
            for (var l = 0; l < Lists; l++)
            {
                var dot = TensorPrimitives.Dot(qs, cents.Slice(l * d, d));
                cdist[l] = Metric == VectorMetric.Dot ? -dot : cn[l] - (2 * dot);
                ord[l] = l;
            }

            cdist.Sort(ord);

            var probes = Math.Clamp(options.Probes > 0 ? options.Probes : ProbesFor(k), 1, Lists);
            var factor = options.RerankFactor > 0 ? options.RerankFactor : DefaultRerankFactor;
            var budget = 0L;
            var offs = Offsets;
            for (var i = 0; i < probes; i++)
            {
                budget += offs[ord[i] + 1] - offs[ord[i]];
            }

            // Filtered: keep probing until as many accepted rows were scored as unfiltered would score.
            var target = Math.Min(budget, acceptCount);
            var ws = w.AsSpan(0, d);
            TensorPrimitives.Multiply(qs, Scales, ws);
            var bias = TensorPrimitives.Dot(qs, Mins);
            var qq = TensorPrimitives.SumOfSquares(qs);
            var candidates = new NeighborHeap(Math.Max(k * factor, k));
            var residency = column.Residency;
            List<ReadOnlyMemory<byte>>? missing = null;
            var rowIds = Rows;
            var nrm = Norms;
            var allCodes = codes.Span;
            long scored = 0;
            for (var i = 0; i < Lists; i++)
            {
                if (i >= probes && scored >= target)
                {
                    break;
                }

                var l = ord[i];
                if (residency is not null && offs[l + 1] > offs[l] && !ListResident(residency, (int)offs[l], (int)offs[l + 1], ref missing))
                {
                    // Not in memory: count the accepted rows it would hold (in proportion) and go on,
                    // so one round asks for every list the search will probe.
                    scored += (long)(offs[l + 1] - offs[l]) * acceptCount / Count;
                    continue;
                }

                for (var e = (int)offs[l]; e < (int)offs[l + 1]; e++)
                {
                    var row = (int)rowIds[e];
                    if (residency is not null && (uint)row >= (uint)column.RowCount)
                    {
                        throw new FormatException("An ivf-sq8 index names a row outside its column.");
                    }

                    if (accept is not null && !accept[row])
                    {
                        continue;
                    }

                    var dot = bias + ScalarQuantizer.WeightedSum(ws, allCodes.Slice(e * d, d));
                    var approx = Metric switch
                    {
                        VectorMetric.Euclidean => qq - (2 * dot) + nrm[e],
                        VectorMetric.Cosine => 1f - dot,
                        _ => -dot,
                    };
                    candidates.Push(row, approx);
                    scored++;
                }
            }

            if (missing is not null)
            {
                throw new NotResidentException(missing);
            }

            // Exact re-rank on the column's floats.
            var pooled = ArrayPool<Neighbor>.Shared.Rent(candidates.Count);
            try
            {
                var n = candidates.Drain(pooled);
                if (residency is not null)
                {
                    var rerank = new List<ReadOnlyMemory<byte>>();
                    if (column.Missing(RowsOf(pooled, n), rerank))
                    {
                        throw new NotResidentException(rerank);
                    }
                }

                var final = new NeighborHeap(k);
                var scratch = column.ElementKind == VectorElementKind.F16 ? pool.Rent(d) : null;
                var cosine = Metric == VectorMetric.Cosine;
                var queryNorm = cosine ? TensorPrimitives.Norm(query) : 0f;
                for (var i = 0; i < n; i++)
                {
                    var row = pooled[i].Row;
                    var values = column.Row(row, scratch);
                    final.Push(row, Distance.Compute(Metric, query, values, queryNorm, cosine ? column.NormOf(row, values) : 0f));
                }

                if (scratch is not null)
                {
                    pool.Return(scratch);
                }

                return final.Drain(results);
            }
            finally
            {
                ArrayPool<Neighbor>.Shared.Return(pooled);
            }
        }
        finally
        {
            pool.Return(q);
            pool.Return(w);
            pool.Return(cd);
            ArrayPool<int>.Shared.Return(order);
        }
    }

    private static IEnumerable<int> RowsOf(Neighbor[] neighbors, int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return neighbors[i].Row;
        }
    }

    /// <summary>Whether list entries [start, end) (rows, norms, codes) are in memory; adds the parts that are not to <paramref name="missing"/>.</summary>
    private bool ListResident(IResidency residency, int start, int end, ref List<ReadOnlyMemory<byte>>? missing)
    {
        var count = end - start;
        var parts = (rows.Slice(start * 4, count * 4), norms.Slice(start * 4, count * 4), codes.Slice(start * Dimensions, count * Dimensions));
        var resident = true;
        foreach (var part in new[] { parts.Item1, parts.Item2, parts.Item3 })
        {
            if (!residency.Contains(part))
            {
                (missing ??= []).Add(part);
                resident = false;
            }
        }

        return resident;
    }

    private float[] CentroidNorms()
    {
        if (centroidNorms is { } c)
        {
            return c;
        }

        c = new float[Lists];
        var cents = Centroids;
        for (var l = 0; l < Lists; l++)
        {
            c[l] = TensorPrimitives.SumOfSquares(cents.Slice(l * Dimensions, Dimensions));
        }

        return centroidNorms = c;
    }
}
