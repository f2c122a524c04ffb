namespace ElectionMatch.Tests;

/// <summary>
/// <c>dotnet build -t:ElectionMatchGenerate -p:RewriteRefs=true</c>: the CLI's <c>generate --rewrite-refs</c>, which the
/// check's EM0300 advises; a plain build never rewrites a file the user wrote.
/// </summary>
public sealed class RewriteRefsTargetTests(SdkPackage sdk) : OptedInProjectTests(sdk), IClassFixture<SdkPackage>
{
    private const string Older = "candidacy_ddhq_matches_20251016";
    private const string Newer = "candidacy_ddhq_matches_20251112";
    private const string Stable = "stg_model_predictions__candidacy_ddhq_matches";

    [Fact]
    public void RewriteRefs_points_a_dated_ref_at_the_stable_model_as_the_builds_EM0300_advises_and_logs_the_diff()
    {
        // The mart reads the superseded snapshot: the rewrite moves it to other data, which the log lists apart.
        _fixture.Replace(Mart, $"ref('stg_model_predictions__{Newer}')", $"ref('stg_model_predictions__{Older}')");
        var written = _fixture.Read(Mart);

        var plain = BuildSucceeds();

        // Before, the build was told of `electionmatch generate --rewrite-refs`, a command it has no target for.
        Assert.Contains($"{_fixture.PathOf(Mart)}(8,26): warning EM0300: ref('stg_model_predictions__{Older}') reads one dated snapshot; ref('{Stable}') always reads the newest ({Newer}); `dotnet build -t:ElectionMatchGenerate -p:RewriteRefs=true` rewrites this reference", plain.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("--rewrite-refs", plain.Output, StringComparison.Ordinal);
        Assert.Equal(written, _fixture.Read(Mart));

        // The target alone leaves the user's files as they are too, and leaves its stamp current.
        var generate = BuildSucceeds("-t:ElectionMatchGenerate");
        Assert.DoesNotContain("rewritten", generate.Output, StringComparison.Ordinal);
        Assert.Equal(written, _fixture.Read(Mart));

        // Nothing changed since, so the stamp is current: the asked-for rewrite happens all the same.
        var rewrite = BuildSucceeds("-t:ElectionMatchGenerate", "-p:RewriteRefs=TRUE");

        Assert.Equal(written.Replace($"stg_model_predictions__{Older}", Stable, StringComparison.Ordinal), _fixture.Read(Mart));
        // The diff, line by line in order, as `electionmatch generate --rewrite-refs` prints it.
        var diff = new[]
        {
            $"electionmatch: --- {Mart}",
            $"electionmatch: +++ {Mart}",
            "electionmatch: @@ -8 +8 @@",
            $"electionmatch: -        select * from {{{{ ref('stg_model_predictions__{Older}') }}}}",
            $"electionmatch: +        select * from {{{{ ref('{Stable}') }}}}",
        }.Select(line => rewrite.Output.IndexOf(line, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, diff);
        Assert.Equal(diff.Order(), diff);
        Assert.Contains("electionmatch: 1 rewritten reference(s) read a superseded snapshot and now read a newer one", rewrite.Output, StringComparison.Ordinal);
        Assert.Contains($"electionmatch:   {Mart}(8,26): {Older} -> {Newer}", rewrite.Output, StringComparison.Ordinal);
        Assert.Contains(", 1 reference line(s) rewritten in 1 file(s) (1 reference(s) now reading a newer snapshot)", rewrite.Output, StringComparison.Ordinal);

        var after = BuildSucceeds();
        Assert.DoesNotContain("EM0300", after.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("EM0106", after.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void RewriteRefs_on_a_build_that_does_not_generate_fails_before_any_work_naming_the_target_that_does()
    {
        var build = Build("-p:ElectionMatchGenerateOnBuild=false", "-p:RewriteRefs=true");

        // Else CI's build, which leaves generate out, would take the property and rewrite nothing, unseen.
        Assert.Equal(1, build.ExitCode);
        Assert.Contains($"{_fixture.PathOf("electionmatch.proj")} : error EM0203: RewriteRefs is 'true', but this build does not generate (ElectionMatchGenerateOnBuild is 'false'), so nothing would be rewritten; run `dotnet build -t:ElectionMatchGenerate -p:RewriteRefs=true`", build.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("electionmatch: ", build.Output, StringComparison.Ordinal);
    }
}
