using System.CommandLine;
using Moat.Cli.Dev;

var root = new RootCommand("moat: the Moat command line");
root.Add(DevCommand.Create());
root.Add(StatusCommand.Create());

// Signals are handled by the commands themselves (the dev stack must stop its children).
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
