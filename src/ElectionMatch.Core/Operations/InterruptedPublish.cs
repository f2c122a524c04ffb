using ElectionMatch.Matches;
using ElectionMatch.Matching;
using ElectionMatch.Matching.Scoring;
using ElectionMatch.Settings;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Operations;

/// <summary>
/// A snapshot whose run was killed after its publish committed and before it completed its log row (EM0608), with what
/// the publish stored for writing its files (<see cref="PendingPublish"/>). The run that finishes it writes the files from
/// that instead of matching again, when <see cref="WhyRunAgain"/> finds that the same match now would publish the same.
/// </summary>
internal sealed class InterruptedPublish
{
    private InterruptedPublish(PublishRecord record, PendingPublish? pending)
    {
        Record = record;
        Pending = pending;
    }

    /// <summary>The snapshot's newest publish, the interrupted one.</summary>
    public PublishRecord Record { get; }

    /// <summary>What its publish stored for its files; null for a publish by a version that stored nothing.</summary>
    public PendingPublish? Pending { get; }

    /// <summary>The interrupted publish of <paramref name="name"/>, when its newest publish never completed.</summary>
    public static InterruptedPublish? Of(DuckDbWarehouse warehouse, SnapshotName name)
    {
        var log = new SnapshotLog(warehouse);
        return log.Latest(name.Match).LastOrDefault(r => r.Snapshot == name.Table) is { IsComplete: false } record
            ? new InterruptedPublish(record, log.Pending(record.RunId))
            : null;
    }

    /// <summary>
    /// Why the snapshot must be matched again rather than finished from its committed rows, in a few words; null when it
    /// can be finished: its publish stored what the files need, this run was given the options it was published with, the
    /// tool's build, the match's settings, the templates, the reference data and the comparisons are those it was matched with, the snapshot table
    /// and its quarantine still hold what was published, and the inputs hash as they did. The cheap comparisons come
    /// first; the table and the inputs are hashed last (the inputs on a second connection while the table is hashed).
    /// </summary>
    /// <param name="runOptions">This run's options that change what it publishes (<see cref="RunOperation.ResultOptions"/>).</param>
    /// <param name="steps">Times the two hashing steps as steps of the run.</param>
    public string? WhyRunAgain(ProjectContext context, SnapshotName name, MatchSettings match, MatchInputs inputs, string runOptions, DuckDbWarehouse warehouse, RunSteps steps)
    {
        if (Pending is not { } pending)
        {
            return "its publish stored nothing to write its files from (it was published by an earlier version of electionmatch)";
        }

        var manifest = pending.Manifest;
        if (runOptions != Record.RunOptions)
        {
            return $"this run's options ({Shown(runOptions)}) are not those it was published with ({Shown(Record.RunOptions)})";
        }

        if (ToolInfo.OtherBuild(manifest.ToolVersion, manifest.ToolBuild, ToolInfo.Fingerprint) is { } otherBuild)
        {
            return $"it was matched by {otherBuild}";
        }

        if (manifest.SettingsChanged(match, context.Settings.ContentHash))
        {
            return $"the settings of match {match.Name} in electionmatch.yml changed since it was published";
        }

        var templates = context.RunTemplateHashes(match);
        var changedTemplates = templates.Keys.Union(manifest.TemplateSha256.Keys).Order(StringComparer.Ordinal)
            .Where(t => templates.GetValueOrDefault(t) != manifest.TemplateSha256.GetValueOrDefault(t)).ToList();
        if (changedTemplates.Count > 0)
        {
            return $"the templates changed since it was published ({string.Join(", ", changedTemplates)})";
        }

        var definition = MatchDefinition.For(match.Kind);
        var thisBuild = new Incremental.ModelProvenance(ReferenceData.Hashes(definition.ReferenceFiles), ComparisonDefinitions.Of(definition.Comparisons), ToolInfo.Fingerprint);
        if (new Incremental.ModelProvenance(manifest.ReferenceFiles, manifest.ComparisonLevels, manifest.ToolBuild).OtherThan(thisBuild) is { } other)
        {
            return $"its model was {other}";
        }

        var schema = context.Settings.Snapshots.Schema;
        var table = Sql.Identifier(schema, name.Table);
        var quarantine = Sql.Identifier(schema, name.QuarantineTable);
        if (manifest.Columns is not { } columns || !warehouse.Describe("select * from " + table).SequenceEqual(columns))
        {
            return $"the columns of {manifest.Table} are not those it was published with";
        }

        // The inputs are hashed on a second connection meanwhile (a CSV input after: its reader's reject store is the connection's).
        using var hashing = InputHashing.Start(warehouse, inputs);
        var why = steps.Time("committed_rows", () =>
        {
            if (!warehouse.TableExists(schema, name.QuarantineTable))
            {
                return $"its quarantine table {manifest.QuarantineTable} is gone";
            }

            var rows = warehouse.Scalar<long>($"select count(*) from {table}");
            var version = manifest.ContentSha256Version ?? ContentHash.RowText;
            var content = ContentHash.Of(warehouse, table, Record.CanonicalOrder, version);
            if (rows != Record.Rows || content != Record.ContentSha256)
            {
                return $"{manifest.Table} no longer holds the rows published ({rows} rows, {Record.Rows} published; {SnapshotManifest.NowAndAtRun(content, Record.ContentSha256)})";
            }

            var (quarantineRows, quarantineSha256) = ContentHash.InRowHashOrder(warehouse, quarantine, version);
            return manifest.QuarantineHolds(quarantineRows, quarantineSha256) ? null
                : $"{manifest.QuarantineTable} no longer holds the rows published ({quarantineRows} rows, {manifest.QuarantineRows} published)";
        }, rows: _ => (Record.Rows, Record.Rows), note: why => why is null ? "the snapshot and its quarantine hash as published" : "changed since published");
        if (why is not null)
        {
            return why;
        }

        var (left, right) = steps.Time("inputs_unchanged", hashing.Finish, note: _ => "the inputs hashed again, to compare with those the snapshot was matched from");
        var changedInputs = manifest.Inputs.Zip([left, right])
            .Where(i => i.First.Sha256 != i.Second)
            .Select(i => $"the {i.First.Role} input {i.First.Relation} changed since it was published ({SnapshotManifest.NowAndAtRun(i.Second, i.First.Sha256 ?? "none")})")
            .ToList();
        return changedInputs.Count > 0 ? string.Join("; ", changedInputs) : null;
    }

    private static string Shown(string options) => options.Length == 0 ? "none" : options;
}
