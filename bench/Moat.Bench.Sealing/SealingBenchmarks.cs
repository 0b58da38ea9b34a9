using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Moat.Storage.Sealing;

namespace Moat.Bench.Sealing;

/// <summary>BenchmarkDotNet view of the same operations (run with <c>--bdn</c>): timings with confidence
/// intervals and allocations per operation.</summary>
[MemoryDiagnoser]
public class SealingBenchmarks
{
    private const string ObjectPath = "v1/ns/bench/seg/segment-0001";
    private byte[] _dek = [];
    private byte[] _plaintext = [];
    private byte[] _stored = [];
    private byte[] _opened = [];

    [Params(4 * 1024, 64 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dek = RandomNumberGenerator.GetBytes(32);
        _plaintext = RandomNumberGenerator.GetBytes(Size);
        _stored = new byte[SealedObjectFormat.GetSealedLength(Size)];
        _opened = new byte[Size];
        SealedObjectWriter.Seal(_plaintext, _stored, ObjectPath, 1, 1, _dek);
    }

    [Benchmark]
    public int Seal() => SealedObjectWriter.Seal(_plaintext, _stored, ObjectPath, 1, 1, _dek);

    [Benchmark]
    public int Unseal() => SealedObjectReader.Unseal(_stored, _opened, ObjectPath, _dek);
}
