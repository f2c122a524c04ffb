using ElectionMatch.Matching;
using ElectionMatch.Matching.Providers;

namespace ElectionMatch.Matches;

/// <summary>How a matcher runs: its progress sink, threads, the model providers (offline when empty) and Ctrl-C.</summary>
public sealed record MatchRunOptions(Action<StageReport>? Progress, int Threads, ModelProviders Providers, CancellationToken CancellationToken);
