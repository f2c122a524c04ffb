namespace ElectionMatch.Operations;

/// <summary>
/// What <c>electionmatch generate</c> prints after its files: the diff of the references <c>--rewrite-refs</c> rewrote, those
/// of them that now read a newer snapshot, and the counts. The <c>ElectionMatchGenerate</c> target logs the same lines
/// (with <c>-p:RewriteRefs=true</c>), so a build log says what a terminal does.
/// </summary>
public static class GenerateSummary
{
    /// <summary>A unified diff per file (<c>---</c>/<c>+++</c>, <c>-</c>/<c>+</c> per line), then the rewritten references that read a superseded snapshot.</summary>
    public static IReadOnlyList<string> RewriteLines(GenerateResult generated)
    {
        var lines = new List<string>();
        // A unified diff per file, so the change can be read before it is committed.
        foreach (var file in generated.Rewrites.GroupBy(r => r.File))
        {
            lines.Add($"--- {file.Key}");
            lines.Add($"+++ {file.Key}");
            foreach (var line in file)
            {
                lines.Add($"@@ -{line.Line} +{line.Line} @@");
                lines.Add("-" + line.Before);
                lines.Add("+" + line.After);
            }
        }

        // Listed apart from the same-data moves: a user keeping a baseline against one of these sees its numbers change.
        if (generated.NewerSnapshots.Count > 0)
        {
            lines.Add($"{generated.NewerSnapshots.Count} rewritten reference(s) read a superseded snapshot and now read a newer one (data that differs from before); "
                + "to keep one on its snapshot, put its dated ref() back and mark its line {# electionmatch: pinned #}:");
            lines.AddRange(generated.NewerSnapshots.Select(moved => $"  {moved.At.File}({moved.At.Line},{moved.At.Column}): {moved.Before.Table} -> {moved.After.Table}"));
        }

        return lines;
    }

    /// <summary>The closing counts: files written, unchanged and left alone, and when references were rewritten, how many.</summary>
    public static string Counts(GenerateResult generated, bool rewriteReferences) =>
        $"{generated.Written.Count} written, {generated.Unchanged.Count} unchanged, {generated.UserOwned.Count} user-owned left alone"
        + (rewriteReferences ? $", {generated.Rewrites.Count} reference line(s) rewritten in {generated.Rewrites.Select(r => r.File).Distinct().Count()} file(s)"
            + (generated.NewerSnapshots.Count > 0 ? $" ({generated.NewerSnapshots.Count} reference(s) now reading a newer snapshot)" : "") : "");
}
