using ElectionMatch.Generation;

namespace ElectionMatch.Dbt;

/// <summary>
/// Surgical edits of the user's SQL and YAML wherever dbt resolves <c>ref()</c> (models, tests, analyses, snapshots,
/// properties YAML): renames the model inside chosen <c>ref()</c> calls and changes no other byte. Generated files (with ElectionMatch's header) are never touched; they are rendered, not edited.
/// </summary>
public static class RefRewriter
{
    /// <param name="rename">The new model name for a <c>ref()</c> call, or null to leave it.</param>
    /// <returns>Every changed line; the files are written when <paramref name="apply"/> is true.</returns>
    public static IReadOnlyList<ReferenceRewrite> Rewrite(DbtProject project, Func<JinjaCall, string?> rename, bool apply = true) =>
        Rewrite(project, _ => rename, apply);

    /// <summary>As <see cref="Rewrite(DbtProject, Func{JinjaCall, string?}, bool)"/>, deciding file by file from what each holds.</summary>
    /// <param name="renameIn">
    /// For a file as read here (its text and every <c>ref()</c> and <c>source()</c> in it), the new model name for each of
    /// its <c>ref()</c> calls: what a call becomes may depend on the rest of its file (<see cref="PinnedReferences.In"/>),
    /// which is then not read a second time.
    /// </param>
    public static IReadOnlyList<ReferenceRewrite> Rewrite(DbtProject project, Func<ReferencingFile, Func<JinjaCall, string?>> renameIn, bool apply = true)
    {
        var rewrites = new List<ReferenceRewrite>();
        foreach (var file in project.ReferencingFiles())
        {
            var (text, byteOrderMark) = UserFileText.Read(file);
            if (GeneratedFile.Inspect(text).IsGenerated)
            {
                continue;
            }

            var display = DisplayPath.For(file);
            var references = ModelSql.ReferencesIn(file, text, display);
            var rename = renameIn(new ReferencingFile(file, text, references));
            var edited = new System.Text.StringBuilder();
            var position = 0;
            foreach (var call in references.Where(c => c.IsRef))
            {
                if (rename(call) is not { } model || model == call.RefModel)
                {
                    continue;
                }

                // Only the quoted name changes: spacing, quotes and a package argument stay as written.
                var expression = text.Substring(call.Offset, call.Length);
                var at = expression.LastIndexOf(call.RefModel, StringComparison.Ordinal);
                edited.Append(text, position, call.Offset - position).Append(expression[..at]).Append(model).Append(expression[(at + call.RefModel.Length)..]);
                position = call.Offset + call.Length;
            }

            if (position == 0)
            {
                continue;
            }

            var updated = edited.Append(text, position, text.Length - position).ToString();
            var before = text.Split('\n');
            var after = updated.Split('\n');
            rewrites.AddRange(Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).Select(i => new ReferenceRewrite(display, i + 1, before[i], after[i])));
            if (apply)
            {
                UserFileText.Write(file, updated, byteOrderMark);
            }
        }

        return rewrites;
    }
}

/// <summary>A file dbt resolves <c>ref()</c> in, as <see cref="RefRewriter"/> read it.</summary>
/// <param name="References">Its <c>ref()</c> and <c>source()</c> calls (<see cref="ModelSql.ReferencesIn"/>).</param>
public sealed record ReferencingFile(string Path, string Text, IReadOnlyList<JinjaCall> References);
