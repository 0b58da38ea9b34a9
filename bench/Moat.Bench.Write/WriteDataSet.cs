using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Moat.Internal.V1;
using Moat.V1;

namespace Moat.Bench.Write;

/// <summary>
/// The seeded rows every system ingests: an id, a 128-dimension float32 vector and three attributes
/// (string <c>category</c>, int64 <c>count</c>, double <c>score</c>). Written to files for the node
/// peer so LanceDB gets exactly the same values.
/// </summary>
internal sealed class WriteDataSet
{
    public const int Dimensions = 128;
    public const string VectorColumn = "vector";

    private WriteDataSet(int count)
    {
        Ids = new string[count];
        Vectors = new float[count][];
        Categories = new string[count];
        Counts = new long[count];
        Scores = new double[count];
    }

    public int Count => Ids.Length;

    public string[] Ids { get; }

    public float[][] Vectors { get; }

    public string[] Categories { get; }

    public long[] Counts { get; }

    public double[] Scores { get; }

    public static WriteDataSet Generate(int count, ulong seed)
    {
        var random = new SplitMix64(seed);
        var data = new WriteDataSet(count);
        for (var i = 0; i < count; i++)
        {
            data.Ids[i] = string.Create(CultureInfo.InvariantCulture, $"doc-{i:D8}");
            var vector = new float[Dimensions];
            for (var d = 0; d < Dimensions; d++)
            {
                vector[d] = (float)(random.NextDouble() * 2 - 1);
            }

            data.Vectors[i] = vector;
            data.Categories[i] = string.Create(CultureInfo.InvariantCulture, $"category-{random.Next(64):D2}");
            data.Counts[i] = (long)(random.NextUInt64() >> 20);
            data.Scores[i] = Math.Round(random.NextDouble() * 1000, 6);
        }

        return data;
    }

    /// <summary>
    /// One write of <paramref name="count"/> upserts starting at row <paramref name="start"/>, built the
    /// way the write service builds it from a parsed request: a Document per row wrapped in a WalOperation.
    /// </summary>
    public WalWrite BuildWrite(int start, int count)
    {
        var write = new WalWrite();
        for (var i = start; i < start + count; i++)
        {
            var vector = new Vector();
            vector.Values.AddRange(Vectors[i]);
            var document = new Document { Id = new DocumentId { Text = Ids[i] } };
            document.Vectors.Add(VectorColumn, vector);
            document.Attributes.Add("category", new AttributeValue { StringValue = Categories[i] });
            document.Attributes.Add("count", new AttributeValue { IntValue = Counts[i] });
            document.Attributes.Add("score", new AttributeValue { DoubleValue = Scores[i] });
            write.Operations.Add(new WalOperation { Upsert = document });
        }

        return write;
    }

    /// <summary><c>vectors.f32</c> (rows x 128 little-endian float32) and <c>rows.json</c> (ids and attributes) for the node peer.</summary>
    public void WriteFiles(string directory)
    {
        var bytes = new byte[Count * Dimensions * sizeof(float)];
        for (var i = 0; i < Count; i++)
        {
            for (var d = 0; d < Dimensions; d++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(((i * Dimensions) + d) * sizeof(float)), Vectors[i][d]);
            }
        }

        File.WriteAllBytes(Path.Combine(directory, "vectors.f32"), bytes);
        using var json = File.Create(Path.Combine(directory, "rows.json"));
        JsonSerializer.Serialize(json, new
        {
            dimensions = Dimensions,
            count = Count,
            ids = Ids,
            category = Categories,
            count64 = Counts.Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray(), // int64 beyond 2^53 stays exact
            score = Scores,
        });
    }
}
