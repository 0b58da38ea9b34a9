using Microsoft.Extensions.Options;
using Moat.Storage.ObjectStore;
using Moat.Wal;
using Moat.Write.Idempotency;
using Moat.Write.Keys;
using Moat.Write.Namespaces;
using Moat.Write.Storage;

namespace Moat.Write.Writes;

/// <summary>The write path: limits, validation, idempotency, the group-commit WAL, namespace creation and deletion.</summary>
public static class WritePathExtensions
{
    public static WebApplicationBuilder AddWritePath(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<WriteLimitsOptions>().BindConfiguration(WriteLimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<GroupCommitOptions>().BindConfiguration(GroupCommitOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GroupCommitOptions>>(new ListValidator<GroupCommitOptions>(o => o.Validate()));

        // The seam for the indexer: every ICommitListener registered is told of each committed entry.
        services.AddSingleton(sp => new GroupCommitQueue(
            sp.GetRequiredService<IObjectStore>(),
            sp.GetRequiredService<WalSealingKeys>(),
            sp.GetRequiredService<IOptions<GroupCommitOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<GroupCommitQueue>>(),
            sp.GetServices<ICommitListener>()));
        services.AddSingleton<WriteValidator>();
        services.AddSingleton<IdempotencyIndex>();
        services.AddSingleton<WriteHandler>();
        services.AddSingleton<NamespaceInitializer>();
        services.AddSingleton<NamespaceDeleter>();
        return builder;
    }
}
