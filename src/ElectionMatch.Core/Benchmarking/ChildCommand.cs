namespace ElectionMatch.Benchmarking;

/// <summary>How to start <c>electionmatch</c> as a child process: the executable and the arguments before the command's own (the dll, when run by the dotnet host).</summary>
public sealed record ChildCommand(string FileName, IReadOnlyList<string> Prefix);
