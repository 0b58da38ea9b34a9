using Moat.Testing;

namespace Moat.Functional.Tests;

/// <summary>The protos compile with Debian's protoc too: the independent Python client depends on it.</summary>
public class ProtocCompatibilityTests
{
    [Fact]
    public async Task Every_proto_compiles_with_debian_protoc_and_the_python_grpc_plugin()
    {
        var output = Directory.CreateTempSubdirectory("moat-protoc-").FullName;
        try
        {
            var protos = Directory.GetFiles(Path.Combine(Repo.Root, "protos", "moat"), "*.proto", SearchOption.AllDirectories)
                .Select(p => Path.GetRelativePath(Path.Combine(Repo.Root, "protos"), p))
                .ToList();
            Assert.NotEmpty(protos);
            var result = await ProcessRunner.RunAsync(
                "/usr/bin/protoc",
                ["-I.", $"--python_out={output}", $"--grpc_python_out={output}", "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin", .. protos],
                TimeSpan.FromSeconds(60),
                workingDirectory: Path.Combine(Repo.Root, "protos"));
            Assert.True(result.ExitCode == 0, result.Output);
            Assert.True(File.Exists(Path.Combine(output, "moat", "v1", "write_pb2_grpc.py")));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
