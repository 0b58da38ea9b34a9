using Microsoft.Extensions.Options;

namespace Moat.Indexer.Configuration;

/// <summary>Validates <see cref="IndexerOptions"/> at start; each failure names the setting and the allowed values.</summary>
public sealed class IndexerOptionsValidator : IValidateOptions<IndexerOptions>
{
    public ValidateOptionsResult Validate(string? name, IndexerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Validate();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
