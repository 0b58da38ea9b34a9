using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Moat.Audit;
using Moat.Hosting.Configuration;
using Moat.Hosting.Errors;
using Moat.Keys.RootOfTrust.Configuration;
using Moat.Keys.RootOfTrust.DevFile;
using Moat.Router.Audit;
using Moat.Router.ApiKeys;
using Moat.Router.Endpoints;
using Moat.Router.Orgs;
using Moat.Router.Persistence;
using Moat.V1;
using AuditEventKind = Moat.Audit.AuditEventKind;
using Moat.Storage.Records;

namespace Moat.Router.Bootstrap;

/// <summary>
/// <c>Moat.Router bootstrap --org NAME --endpoint ID [--endpoint-kind loopback-dev] [--region R]
/// --Moat:DataDir=DIR</c>: offline, on the router's store. Creates the org, registers its first
/// endpoint (so later endpoint checks never lock the first admin out) and its first admin API key,
/// printed once as JSON on stdout. The same command creates the first org of a real deployment.
/// </summary>
public static class RouterBootstrap
{
    public static async Task<int> RunAsync(string[] args)
    {
        var config = new ConfigurationBuilder().AddCommandLine(args).Build();
        var org = config["org"];
        var endpoint = config["endpoint"];
        var region = config["region"] ?? "dev-local";
        var kind = config["endpoint-kind"] ?? "loopback-dev";
        var dataDir = config["Moat:DataDir"];
        if (string.IsNullOrEmpty(org) || string.IsNullOrEmpty(endpoint) || string.IsNullOrEmpty(dataDir))
        {
            await Console.Error.WriteLineAsync("usage: Moat.Router bootstrap --org NAME --endpoint ID [--endpoint-kind loopback-dev|aws-privatelink|gcp-psc|azure-privatelink|vpc-peering] [--region R] --Moat:DataDir=DIR");
            return 2;
        }

        if (!Enum.TryParse<EndpointKind>(kind.Replace("-", string.Empty, StringComparison.Ordinal), ignoreCase: true, out var endpointKind) || endpointKind == EndpointKind.Unspecified)
        {
            await Console.Error.WriteLineAsync($"bootstrap: --endpoint-kind '{kind}' is not a listener kind");
            return 2;
        }

        var time = TimeProvider.System;
        var store = RouterStoreExtensions.OpenStore(dataDir);
        var records = new JsonRecordStore(store);
        var rootOfTrust = config.GetSection(RootOfTrustOptions.Section).Get<RootOfTrustOptions>() ?? new RootOfTrustOptions();
        var failures = RootOfTrustOptionsValidator.Failures(rootOfTrust);
        if (failures.Count > 0)
        {
            await Console.Error.WriteLineAsync($"bootstrap: {string.Join("; ", failures)}");
            return 2;
        }

        // The bootstrap is audited like any change, on a chain of its own (writer router.bootstrap).
        var root = RootKeyProviders.Create(rootOfTrust, () => new DevFileGuard(config["Moat:TrustDomain"] ?? MoatOptions.DevTrustDomain, StoreIsLocal: true, [config["Moat:ListenAddress"] ?? "127.0.0.1"]), NullLoggerFactory.Instance);
        var audit = RouterAuditExtensions.Create(store, root, rootOfTrust.RootKeyId, "bootstrap", time);
        await audit.StartAsync(CancellationToken.None);
        var endpoints = new EndpointRegistry(records, time);
        try
        {
            await new OrgRegistry(records, time).CreateAsync(org, org, [region], CancellationToken.None);
            await endpoints.RegisterAsync(org, endpoint, endpointKind, region, "first endpoint (bootstrap)", "bootstrap", CancellationToken.None);
            var (key, full) = await new ApiKeyRegistry(records, endpoints, time)
                .CreateAsync(org, Role.Admin, "first admin (bootstrap)", string.Empty, string.Empty, null, "bootstrap", CancellationToken.None);
            await audit.Audit.ChangedAsync(AuditEventKind.Bootstrap, org, string.Empty, $"org:{org}:created", CancellationToken.None);
            await audit.Audit.ChangedAsync(AuditEventKind.ApiKeyChange, org, string.Empty, $"api-key:{key.Id}:created:Admin", CancellationToken.None);
            await audit.Checkpointer.CheckpointAsync(org, force: true);
            await audit.Writer.DisposeAsync();
            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(new { org, api_key_id = key.Id, api_key = full, endpoint }));
            return 0;
        }
        catch (MoatException e)
        {
            await Console.Error.WriteLineAsync($"bootstrap: {e.Message}");
            return 1;
        }
    }
}
