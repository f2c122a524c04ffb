using ElectionMatch.Cli;

return await CommandLine.Build().Parse(args).InvokeAsync();
