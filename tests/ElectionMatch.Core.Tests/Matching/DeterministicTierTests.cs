using ElectionMatch.Diagnostics;
using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Operations;
using ElectionMatch.Synthesis;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// Spec 003's deterministic tier for candidacies (<c>retrieval.exact_names</c>): a left row whose partition holds exactly
/// one results row with its first name and surname on a ballot holding its office, a row no other left row has that way,
/// is paired with that row alone; retrieval and the sounds-alike rule skip it and the model scores the one pair.
/// </summary>
public sealed class DeterministicTierTests : IClassFixture<DeterministicTierTests.SynthRun>, IDisposable
{
    private static readonly RunSchema Run = RunSchema.For("candidacy_ddhq_matches");

    private readonly SynthRun _synth;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "em-tier-" + Guid.NewGuid().ToString("N"));

    public DeterministicTierTests(SynthRun synth) => _synth = synth;

    [Fact]
    public void The_tier_pairs_exactly_the_rows_its_rule_names_and_they_skip_the_searches()
    {
        var (warehouse, result) = (_synth.Warehouse, _synth.Result);

        var tier = Pairs(warehouse, $"select left_key, right_key from {Run.Table("exact_pairs")}");
        var leftRows = warehouse.Scalar<long>($"select count(*) from {Run.Table("left_keyed")}");
        Assert.True(tier.Count > leftRows / 4, $"{tier.Count} of {leftRows} election rows paired by the tier");
        Assert.Equal(tier.Count, result.Counts["left_rows_by_exact_name"]);
        Assert.Equal(tier.Count, result.Counts["pairs_by_rule_exact_name"]);

        // The rule stated another way: membership read from right_members, uniqueness by correlated counts.
        var reference = Pairs(warehouse, $"""
            with same as (
                select l.left_key, m.right_key
                from {Run.Table("left_keyed")} as l
                join {Run.Table("right_members")} as m on m.group_id = l.group_id
                join {Run.Table("right_clean")} as r on r.right_key = m.right_key
                where r.first_name = l.first_name and r.last_name = l.last_name and position(l.office_normalised in r.race_normalised) > 0
                    and not coalesce(substr(l.middle_name, 1, 1) <> substr(r.middle_name, 1, 1), false)
            )
            select s.left_key, s.right_key from same as s
            where (select count(*) from same as o where o.left_key = s.left_key) = 1
              and (select count(*) from same as o where o.right_key = s.right_key) = 1
            """);
        Assert.Equal(reference.OrderBy(p => p).ToList(), tier.OrderBy(p => p).ToList());

        // A tier row was searched by neither retrieval nor the sounds-alike rule, and its one pair was scored with a cosine.
        Assert.Equal(0, warehouse.Scalar<long>($"select count(*) from {Run.Table("retrieved")} semi join {Run.Table("exact_pairs")} using (left_key)"));
        Assert.Equal(0, warehouse.Scalar<long>($"select count(*) from {Run.Table("sounds_alike")} semi join {Run.Table("exact_pairs")} using (left_key)"));
        var tierPairs = Pairs(warehouse, $"""
            select c.left_key, c.right_key from {Run.Table("comparisons")} as c semi join {Run.Table("exact_pairs")} as x using (left_key)
            where c.found_by = {PairRules.ExactName} and c.cosine between -1 and 1
            """);
        Assert.Equal(tier.OrderBy(p => p).ToList(), tierPairs.OrderBy(p => p).ToList());
        Assert.Equal(["exact_name"], warehouse.Query($"select distinct unnest(rules) from {Run.Table("scored_pairs")} semi join {Run.Table("exact_pairs")} using (left_key)", r => r.GetString(0)));
        Assert.True(warehouse.TableExists(Run.Name, "runoff_exact_pairs"));
    }

    [Fact]
    public void Switched_off_the_tier_pairs_nothing_and_the_links_are_as_good_with_it()
    {
        var truth = File.ReadAllLines(Path.Combine(_synth.Directory, "truth", "candidacy_ddhq_matches.csv")).Skip(1).ToHashSet(StringComparer.Ordinal);

        using var off = DuckDbWarehouse.Open(Path.Combine(_synth.Directory, "target", "tier-off.duckdb"));
        var offResult = Match(_synth.Directory, off, exactNames: false);
        Assert.Equal(0, off.Scalar<long>($"select count(*) from {Run.Table("exact_pairs")}"));
        Assert.False(offResult.Counts.ContainsKey("pairs_by_rule_exact_name"));
        var offLinks = Links(off);

        var on = _synth.Warehouse;
        var onLinks = Links(on);

        // Fewer pairs compared, the same quality: recall and precision within a tenth of a percent of the search's.
        Assert.True(Comparisons(on) < Comparisons(off) * 0.8, $"{Comparisons(on)} pairs with the tier, {Comparisons(off)} without");
        double Recall(HashSet<string> links) => links.Count(truth.Contains) / (double)truth.Count;
        double Precision(HashSet<string> links) => links.Count(truth.Contains) / (double)links.Count;
        Assert.True(Recall(offLinks) > 0.97, $"recall {Recall(offLinks):F4} without the tier");
        Assert.True(Recall(onLinks) >= Recall(offLinks) - 0.001, $"recall {Recall(onLinks):F4} with the tier, {Recall(offLinks):F4} without");
        Assert.True(Precision(onLinks) >= Precision(offLinks) - 0.001, $"precision {Precision(onLinks):F4} with the tier, {Precision(offLinks):F4} without");
    }

    [Fact]
    public void An_exact_names_value_that_is_not_true_or_false_is_an_error_at_its_line()
    {
        SynthProjectWriter.Write(_directory, new SynthSettings(10, 1), force: false);
        var path = Path.Combine(_directory, "electionmatch.yml");
        var text = File.ReadAllText(path);
        Assert.Contains("retrieval:\n", text, StringComparison.Ordinal);
        text = text.Replace("retrieval:\n", "retrieval:\n      exact_names: sometimes\n", StringComparison.Ordinal);
        File.WriteAllText(path, text);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(_directory))).Diagnostics);
        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.Equal(text.Split('\n').ToList().FindIndex(l => l.Contains("exact_names", StringComparison.Ordinal)) + 1, diagnostic.Line);
        Assert.Contains("'exact_names' must be true or false", diagnostic.Message, StringComparison.Ordinal);

        File.WriteAllText(path, text.Replace("exact_names: sometimes", "exact_names: false", StringComparison.Ordinal));
        Assert.False(ProjectContext.Load(new ProjectOptions(_directory)).Settings.Match("candidacy_ddhq_matches").ExactNames);

        // PyYAML's other spellings (YAML 1.1, as dbt reads its files): before, 'no' was refused as not true or false.
        File.WriteAllText(path, text.Replace("exact_names: sometimes", "exact_names: no", StringComparison.Ordinal));
        Assert.False(ProjectContext.Load(new ProjectOptions(_directory)).Settings.Match("candidacy_ddhq_matches").ExactNames);
        File.WriteAllText(path, text.Replace("exact_names: sometimes", "exact_names: On", StringComparison.Ordinal));
        Assert.True(ProjectContext.Load(new ProjectOptions(_directory)).Settings.Match("candidacy_ddhq_matches").ExactNames);
    }

    [Fact]
    public void Exact_names_on_a_district_match_is_an_error_at_its_line()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var text = fixture.Read("electionmatch.yml");
        Assert.Contains("      top_k: 10", text, StringComparison.Ordinal);
        text = text.Replace("      top_k: 10", "      top_k: 10\n      exact_names: true", StringComparison.Ordinal);
        fixture.Write("electionmatch.yml", text);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics);
        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.Equal(text.Split('\n').ToList().FindIndex(l => l.Contains("exact_names", StringComparison.Ordinal)) + 1, diagnostic.Line);
        Assert.Contains("applies to candidacy_ddhq matches only", diagnostic.Message, StringComparison.Ordinal);
    }

    private static MatchResult Match(string directory, DuckDbWarehouse warehouse, bool exactNames)
    {
        var context = ProjectContext.Load(new ProjectOptions(directory));
        var settings = context.Settings.Match("candidacy_ddhq_matches");
        Assert.True(settings.ExactNames);
        settings = settings with { ExactNames = exactNames };
        var inputs = new RunOperation(context).ResolveInputs(warehouse, settings);
        return new CandidacyDdhqMatcher(warehouse, settings, Run).Run(inputs);
    }

    private static List<(long Left, long Right)> Pairs(DuckDbWarehouse warehouse, string sql) =>
        warehouse.Query(sql, r => (r.GetInt64(0), r.GetInt64(1)));

    private static long Comparisons(DuckDbWarehouse warehouse) => warehouse.Scalar<long>($"select count(*) from {Run.Table("comparisons")}");

    private static HashSet<string> Links(DuckDbWarehouse warehouse) => warehouse.Query(
        $"select gp_candidacy_id || ',' || hubspot_election_type || ',' || cast(ddhq_candidate_id as varchar) from {Run.Table("output")} where has_match",
        r => r.GetString(0)).ToHashSet(StringComparer.Ordinal);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>A synthetic project of 3,000 candidacies and one run of it with the tier on, shared by the tests.</summary>
    public sealed class SynthRun : IDisposable
    {
        public SynthRun()
        {
            SynthProjectWriter.Write(Directory, new SynthSettings(3000, 5), force: false);
            Warehouse = DuckDbWarehouse.Open(Path.Combine(Directory, "target", "tier-on.duckdb"));
            Result = Match(Directory, Warehouse, exactNames: true);
        }

        public string Directory { get; } = Path.Combine(Path.GetTempPath(), "em-tier-run-" + Guid.NewGuid().ToString("N"));

        public DuckDbWarehouse Warehouse { get; }

        public MatchResult Result { get; }

        public void Dispose()
        {
            Warehouse.Dispose();
            if (System.IO.Directory.Exists(Directory))
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
        }
    }
}
