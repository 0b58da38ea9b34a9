using System.Collections.Frozen;
using System.Reflection;
using Google.Protobuf.Reflection;

namespace Moat.Hosting.Clients;

/// <summary>
/// Which RPCs may be retried, read from the protos themselves (<c>option idempotency_level</c>
/// NO_SIDE_EFFECTS or IDEMPOTENT), so the rule lives next to the API, not in client code.
/// </summary>
public static class IdempotentMethods
{
    private static readonly Lazy<FrozenSet<string>> Methods = new(Scan);

    public static bool IsIdempotent(string fullMethod) => Methods.Value.Contains(fullMethod.TrimStart('/'));

    private static FrozenSet<string> Scan()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        var assembly = typeof(Moat.V1.ErrorReason).Assembly;
        foreach (var type in assembly.GetTypes())
        {
            if (type.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is not FileDescriptor file)
            {
                continue;
            }

            foreach (var service in file.Services)
            {
                foreach (var method in service.Methods)
                {
                    var level = method.GetOptions()?.IdempotencyLevel ?? MethodOptions.Types.IdempotencyLevel.IdempotencyUnknown;
                    if (level is MethodOptions.Types.IdempotencyLevel.NoSideEffects or MethodOptions.Types.IdempotencyLevel.Idempotent)
                    {
                        set.Add($"{service.FullName}/{method.Name}");
                    }
                }
            }
        }

        return set.ToFrozenSet(StringComparer.Ordinal);
    }
}
