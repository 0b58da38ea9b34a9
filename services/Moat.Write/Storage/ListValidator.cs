using Microsoft.Extensions.Options;

namespace Moat.Write.Storage;

/// <summary>Validates options whose class lists its own violations (each naming its setting), at start.</summary>
internal sealed class ListValidator<T>(Func<T, IReadOnlyList<string>> violations) : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var found = violations(options);
        return found.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(found);
    }
}
