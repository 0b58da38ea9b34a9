using System.CommandLine;
using Moat.Hosting.Identity;

namespace Moat.Cli.Dev;

/// <summary><c>moat status [--state-dir DIR]</c>: each service's health, read from the profile.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var stateDir = new Option<string>("--state-dir") { Description = "The dev stack's state directory.", DefaultValueFactory = _ => DevLayout.DefaultStateDir };
        var command = new Command("status", "Print the health of every service of the running dev stack.") { stateDir };
        command.SetAction(async (result, cancellationToken) =>
        {
            var layout = new DevLayout(DevLayout.FindRepoRoot(), result.GetValue(stateDir)!, DevLayout.DefaultBasePort);
            var profile = DevProfile.TryLoad(layout.ProfileFile);
            if (profile is null)
            {
                await Console.Error.WriteLineAsync($"moat status: no profile at {layout.ProfileFile}; start the stack with ./moat dev.");
                return 1;
            }

            using var probe = new HealthProbe(profile.CaFile, Path.Combine(layout.PkiDir, "service-ca.crt"), profile.OperatorCertFile, profile.OperatorKeyFile, profile.TrustDomain);
            var rows = new List<string[]> { new[] { "SERVICE", "ADDRESS", "IDENTITY", "STATE" } };
            foreach (var service in profile.Services)
            {
                var state = SpiffeId.TryParse(service.Identity, out var id)
                    ? await probe.CheckAsync(service.Address, id, cancellationToken)
                    : "BAD PROFILE";
                rows.Add([service.Name, service.Address, service.Identity, state]);
            }

            await Console.Out.WriteLineAsync(TextTable.Render(rows));
            return rows.Skip(1).All(r => r[3] == "SERVING") ? 0 : 1;
        });
        return command;
    }
}
