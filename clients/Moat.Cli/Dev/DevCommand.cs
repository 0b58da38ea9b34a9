using System.CommandLine;
using System.Runtime.InteropServices;

namespace Moat.Cli.Dev;

/// <summary><c>moat dev [--state-dir DIR] [--base-port N]</c>.</summary>
public static class DevCommand
{
    public static Command Create()
    {
        var stateDir = new Option<string>("--state-dir") { Description = "Where the PKI, data, logs and profile.json live.", DefaultValueFactory = _ => DevLayout.DefaultStateDir };
        var basePort = new Option<int>("--base-port") { Description = "First of six consecutive loopback ports (gateway endpoint = base).", DefaultValueFactory = _ => DevLayout.DefaultBasePort };
        var command = new Command("dev", "Run the whole Moat stack on this machine (embedded defaults) until Ctrl-C.") { stateDir, basePort };
        command.SetAction(async (result, _) =>
        {
            var port = result.GetValue(basePort);
            if (port is < 1024 or > 65529)
            {
                await Console.Error.WriteLineAsync("moat dev: --base-port must be between 1024 and 65529.");
                return 2;
            }

            using var stop = new CancellationTokenSource();
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            var layout = new DevLayout(DevLayout.FindRepoRoot(), result.GetValue(stateDir)!, port);
            return await new DevStack(layout, Console.Out).RunAsync(stop.Token);

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }
        });
        return command;
    }
}
