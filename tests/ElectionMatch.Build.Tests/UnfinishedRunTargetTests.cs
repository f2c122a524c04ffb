using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary><c>dotnet build -t:ElectionMatchRun</c> runs that do not finish: no provider called without leave, Ctrl-C, a full disk, a kill after the commit.</summary>
public sealed class UnfinishedRunTargetTests(SdkPackage sdk) : OptedInProjectTests(sdk), IClassFixture<SdkPackage>
{
    [Fact]
    public void ElectionMatchRun_replays_by_default_and_its_log_never_shows_the_planted_key()
    {
        const string plantedKey = "sk-test-PLANTED-build-0123456789abcdefgh";
        Environment.SetEnvironmentVariable("EM_BUILD_PLANTED_KEY", plantedKey);
        const string offline = "    judge:\n      provider: offline\n\n  # L2";
        // Port 9 (discard) on loopback: nothing answers, so a build allowed to call out fails after its retries.
        _fixture.Replace("electionmatch.yml", offline, """
                judge:
                  provider: openai
                  endpoint: http://127.0.0.1:9/v1
                  api_key_env: EM_BUILD_PLANTED_KEY
                  max_retries: 1
                  retry_base_delay_seconds: 0.001
                  timeout_seconds: 2

              # L2
            """);

        var replay = Build("-t:ElectionMatchRun", "-p:Match=candidacy_ddhq_matches", "-p:AllowFutureDate=true", "-p:SnapshotDate=2030-06-04");
        var live = Build("-t:ElectionMatchRun", "-p:Match=candidacy_ddhq_matches", "-p:AllowFutureDate=true", "-p:SnapshotDate=2030-06-04", "-p:ElectionMatchReplay=false", "-v:detailed");

        Assert.NotEqual(0, replay.ExitCode);
        // At the match's judge: block, as EM0403 is (before, at the task in the SDK's .targets in the NuGet cache).
        var judgeLine = Array.IndexOf(_fixture.Read("electionmatch.yml").Split('\n'), "      provider: openai") + 1;
        Assert.Contains($"{_fixture.PathOf("electionmatch.yml")}({judgeLine},7): error EM0402: replay:", replay.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, live.ExitCode);
        Assert.Contains("error EM0403: match 'candidacy_ddhq_matches', step judge: the judge openai/gpt-4o-mini failed", live.Output, StringComparison.Ordinal);
        // The failed run's provider line, as `electionmatch run` prints it: nothing answered, every attempt counted.
        Assert.Contains("electionmatch: before it stopped, the run asked its providers", live.Output, StringComparison.Ordinal);
        Assert.Matches(@"electionmatch: judge: openai/gpt-4o-mini: 0 requests \([1-9]\d* HTTP attempts\)", live.Output);
        Assert.DoesNotContain(plantedKey, replay.Output + live.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_C_stops_ElectionMatchRun_with_one_error_publishing_nothing_and_the_next_run_publishes_that_date()
    {
        // A judge that takes each request and never answers holds the run where it has started and cannot end on its own.
        using var judge = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        judge.Start();
        var asked = new TaskCompletionSource();
        var held = new System.Collections.Concurrent.ConcurrentBag<System.Net.Sockets.TcpClient>();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    held.Add(await judge.AcceptTcpClientAsync().ConfigureAwait(false));
                    asked.TrySetResult();
                }
            }
            catch (Exception e) when (e is ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                // The listener stopped at the end of the test.
            }
        });
        var settings = _fixture.Read("electionmatch.yml");
        const string offline = "    judge:\n      provider: offline\n\n  # L2";
        _fixture.Replace("electionmatch.yml", offline, $"""
                judge:
                  provider: openai
                  endpoint: http://127.0.0.1:{((System.Net.IPEndPoint)judge.LocalEndpoint).Port}/v1
                  api_key_env: EM_BUILD_CANCEL_KEY
                  max_retries: 0
                  timeout_seconds: 20
                  cancel_grace_seconds: 1

              # L2
            """);
        var sources = _fixture.Read(SourcesYaml);
        string[] run = ["-t:ElectionMatchRun", "-p:Match=candidacy_ddhq_matches", "-p:AllowFutureDate=true", "-p:SnapshotDate=2030-06-03"];

        WatchedProcess.Result stopped;
        using (var running = DotnetProcess.StartBuild(_fixture.Directory, _sdk.Packages, new Dictionary<string, string> { ["EM_BUILD_CANCEL_KEY"] = "sk-test-cancel" }, [.. run, "-p:ElectionMatchReplay=false"]))
        {
            await asked.Task.WaitAsync(TimeSpan.FromMinutes(3));
            running.Interrupt();
            stopped = running.Finish();
        }

        foreach (var client in held)
        {
            client.Dispose();
        }

        // Before, MSBuild waited for RunMatch, which ran on (here to the judge's EM0403), and a run that got past its
        // inputs published its snapshot and then said "Build FAILED" with 0 errors.
        Assert.Equal(1, stopped.ExitCode);
        Assert.Contains($"{_fixture.PathOf("electionmatch.proj")} : error EM0205: RunMatch was cancelled: nothing was published; 0 provider answers in flight at the stop arrived and are cached, ", stopped.Output, StringComparison.Ordinal);
        Assert.Contains("1 Error(s)", stopped.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("EM0403", stopped.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("electionmatch: published", stopped.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(_fixture.PathOf("electionmatch/manifests/candidacy_ddhq_matches_20300603.json")));
        Assert.Equal(sources, _fixture.Read(SourcesYaml));
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true))
        {
            Assert.False(warehouse.TableExists("model_predictions", "candidacy_ddhq_matches_20300603"));
        }

        // The lock was let go and nothing of the date was left: the same run, without Replace or a wait, publishes it.
        _fixture.Write("electionmatch.yml", settings);
        var again = BuildSucceeds([.. run, "-p:ElectionMatchLockTimeout=0"]);
        Assert.Contains("electionmatch: published model_predictions.candidacy_ddhq_matches_20300603", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void ElectionMatchRun_on_a_full_disk_fails_with_EM0506_at_the_file_it_could_not_write()
    {
        // The warehouse's write-ahead log linked to Linux's /dev/full: every write there fails with ENOSPC.
        Assert.True(File.Exists("/dev/full"), "this test needs Linux's /dev/full");
        BuildSucceeds();
        var wal = _fixture.WarehousePath + ".wal";
        Assert.False(File.Exists(wal));
        File.CreateSymbolicLink(wal, "/dev/full");
        try
        {
            var run = Build("-t:ElectionMatchRun", "-p:Match=candidacy_ddhq_matches", "-p:AllowFutureDate=true", "-p:SnapshotDate=2030-06-05");

            Assert.Equal(1, run.ExitCode);
            Assert.Contains($"{wal} : error EM0506: no space left on the device to write this file", run.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("EM0201", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(wal);
        }
    }

    [Fact]
    public void A_run_killed_after_its_commit_is_reported_at_its_match_with_the_MSBuild_command_that_finishes_it()
    {
        BuildSucceeds();
        var killed = DotnetProcess.Build(_fixture.Directory, _sdk.Packages, new Dictionary<string, string> { ["ELECTIONMATCH_TEST_DIE_AT"] = "publish:committed" },
            "-t:ElectionMatchRun", "-p:Match=llm_l2_br_match", "-p:AllowFutureDate=true", "-p:SnapshotDate=2030-06-03");
        Assert.NotEqual(0, killed.ExitCode);

        var interrupted = Build();
        var match = Array.IndexOf(_fixture.Read("electionmatch.yml").Split('\n'), "  llm_l2_br_match:") + 1;

        // Before, at the binary warehouse file with no line, naming the CLI's `electionmatch run … --snapshot-date …`.
        Assert.Equal(1, interrupted.ExitCode);
        Assert.Contains($"{_fixture.PathOf("electionmatch.yml")}({match},3): error EM0608: run interrupted: snapshot llm_l2_br_match_20300603 was published by a run that stopped before it wrote all its files (killed or cancelled); `dotnet build -t:ElectionMatchRun -p:Match=llm_l2_br_match -p:SnapshotDate=2030-06-03 -p:AllowFutureDate=true` finishes it", interrupted.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("electionmatch run", interrupted.Output, StringComparison.Ordinal);
        BuildSucceeds("-t:ElectionMatchRun", "-p:Match=llm_l2_br_match", "-p:SnapshotDate=2030-06-03", "-p:AllowFutureDate=true");
        BuildSucceeds();
    }
}
