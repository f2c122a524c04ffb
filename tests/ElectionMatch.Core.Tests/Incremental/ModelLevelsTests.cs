using System.Text.RegularExpressions;
using ElectionMatch.Incremental;
using ElectionMatch.Matches;
using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Matching.Providers;
using ElectionMatch.Matching.Scoring;
using ElectionMatch.Operations;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Incremental;

/// <summary>
/// A stored or published model is reused only under the comparison levels it was trained with: a build may change a
/// level's SQL without renaming it (what the first name's nickname level covers), and weights estimated for the old
/// level's pairs would score the new one's.
/// </summary>
public sealed class ModelLevelsTests : IDisposable
{
    private const string Match = "candidacy_ddhq_matches";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    /// <summary>This build's comparisons with the first name's nickname level's condition changed, as another build's would be.</summary>
    private static IReadOnlyList<ManifestComparison> NicknameChanged() => ComparisonDefinitions.Of(CandidacyDdhqComparisons.All.Select(c => c.Name != "first_name" ? c : c with
    {
        Levels = c.Levels.Select(l => l.Name == "nickname" ? l with { Condition = "list_has_all(l_groups, r_groups)" } : l).ToList(),
    }));

    [Fact]
    public void A_stored_model_is_reused_only_under_the_comparison_levels_it_was_trained_with()
    {
        // Texas alone keeps it quick: two partitions, Texas and the stateless one.
        const string Left = "data/airbyte/hubspot_candidacy.csv";
        _fixture.Write(Left, string.Join('\n', _fixture.Read(Left).Split('\n').Where((l, i) => i == 0 || l.Split(',').ElementAtOrDefault(4) == "TX")) + "\n");
        var context = ProjectContext.Load(new ProjectOptions(_fixture.Directory));
        var match = context.Settings.Match(Match);
        using var warehouse = DuckDbWarehouse.Open(Path.Combine(_fixture.Directory, "target", "levels.duckdb"));
        var inputs = new RunOperation(context).ResolveInputs(warehouse, match);
        using var providers = ModelProviders.Create(match, _fixture.Directory, context.Templates, warehouse, replay: false);
        var references = ReferenceData.Hashes(MatchDefinition.For(match.Kind).ReferenceFiles);
        string ModelLine(IReadOnlyList<ManifestComparison>? levels, (string Json, string Snapshot, ModelProvenance Provenance)? earlier = null, string? tool = null)
        {
            var request = new IncrementalRequest(match.ResultsSha256, Full: false, Retrain: false, new MatchRunOptions(null, 2, providers, CancellationToken.None))
            {
                ComparisonLevels = levels,
                EarlierModel = earlier,
                Tool = tool ?? ToolInfo.Fingerprint,
            };
            return IncrementalRun.Execute(warehouse, match, inputs, request, progress: null).Summary.Single(l => l.StartsWith("model: ", StringComparison.Ordinal));
        }

        Assert.Matches("^model: [0-9a-f]{12} \\(trained on this run's whole input\\)$", ModelLine(null));
        // The same definitions: reused.
        Assert.Matches("^model: [0-9a-f]{12} \\(stored, reused\\)$", ModelLine(null));
        var stored = warehouse.Scalar<string>($"select model_json from {PartitionCache.Schema.Table("models")}")!;

        // A build whose nickname level has another condition trains, and says why, of the stored model and of a
        // snapshot's model whose manifest records this build's levels, as that model was made.
        Assert.Matches(
            $"^model: [0-9a-f]{{12}} \\(trained on this run's whole input; not used: the stored model [0-9a-f]{{12}} and the model of snapshot {Match}_20300101, trained with other comparison levels \\(first_name\\)\\)$",
            ModelLine(NicknameChanged(), (stored, $"{Match}_20300101", new ModelProvenance(references, ComparisonDefinitions.Of(CandidacyDdhqComparisons.All), ToolInfo.Fingerprint))));

        // Another build of this version under the same levels and reference files trains too: its cleaning and pair
        // projection, which no level records, may have made other pairs. So does a snapshot's model that build published.
        // Sharing no 8 characters with a key another test of the process registers as a secret (it would be masked).
        const string OtherBuild = "0.1.0+a1b2c3d4e5f6a7b8c9d0/0f1e2d3c4b5a69788796";
        var thisBuild = new ModelProvenance(references, NicknameChanged(), ToolInfo.Fingerprint);
        var nicknameStored = warehouse.Scalar<string>($"select model_json from {PartitionCache.Schema.Table("models")}")!;
        Assert.Matches(
            $"^model: [0-9a-f]{{12}} \\(trained on this run's whole input; not used: the stored model [0-9a-f]{{12}} and the model of snapshot {Match}_20300102, trained by another build of electionmatch {Regex.Escape(ToolInfo.Version)} \\([^;]+; this is a1b2c3d4e5f6/0f1e2d3c4b5a\\)\\)$",
            ModelLine(NicknameChanged(), (nicknameStored, $"{Match}_20300102", thisBuild), tool: OtherBuild));
        Assert.Equal([OtherBuild], warehouse.Query($"select tool_build from {PartitionCache.Schema.Table("models")}", r => r.GetString(0)));

        // A model stored by a build that did not record its levels or itself does not fit either (read as a run reads it; another training is not needed to see it).
        warehouse.Execute($"update {PartitionCache.Schema.Table("models")} set comparison_levels = null, tool_build = null");
        var unrecorded = new PartitionCache(warehouse, Match, MatchDefinition.For(match.Kind).Columns).FindModel(match.ResultsSha256, match.At)!.Value.Provenance;
        Assert.Equal(
            $"trained with comparison levels it did not record (by an older build) and trained by another build of electionmatch {ToolInfo.Version} (not recorded; this is a1b2c3d4e5f6/0f1e2d3c4b5a)",
            unrecorded.OtherThan(new ModelProvenance(references, ComparisonDefinitions.Of(CandidacyDdhqComparisons.All), OtherBuild)));
    }
}
