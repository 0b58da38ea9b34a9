using System.Globalization;
using BenchmarkDotNet.Running;
using Moat.Bench.Sealing;

// dotnet run -c Release --project bench/Moat.Bench.Sealing [-- --seconds 0.5 --openssl-seconds 1 --rounds 3]
// dotnet run -c Release --project bench/Moat.Bench.Sealing -- --bdn   (BenchmarkDotNet, slower)
if (args.Contains("--bdn"))
{
    BenchmarkRunner.Run<SealingBenchmarks>();
    return;
}

var seconds = Option("--seconds", 0.5);
var opensslSeconds = (int)Option("--openssl-seconds", 1.0);
var rounds = (int)Option("--rounds", 3);
Console.WriteLine(ThroughputRun.Run(seconds, opensslSeconds, rounds));

double Option(string name, double fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? double.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}
