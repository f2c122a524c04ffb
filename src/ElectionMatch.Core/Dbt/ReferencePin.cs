namespace ElectionMatch.Dbt;

/// <summary>Why a reference to a dated snapshot stays on it: a pin marker on its line (<paramref name="Marked"/>), or a comparison of snapshots in its file.</summary>
internal sealed record ReferencePin(bool Marked, string Why);
