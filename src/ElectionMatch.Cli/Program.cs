using System.CommandLine;
using ElectionMatch.Cli;

// Ctrl-C is ours, in two steps (CtrlC); System.CommandLine's own handler would end the process 2 s after the first.
using var ctrlC = new CtrlC();
var parsed = CommandLine.Build(ctrlC.Interruption).Parse(args);
if (CommandLine.UsageErrors(parsed) is { } usage)
{
    return usage;
}

return await ctrlC.WaitAsync(Task.Run(() => parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, ctrlC.Stop)));
