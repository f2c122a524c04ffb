using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;

namespace ElectionMatch.Tests.Providers;

/// <summary>The judge and embeddings blocks of electionmatch.yml: provider keys, defaults, and credentials kept out.</summary>
public sealed class ProviderSettingsTests
{
    [Fact]
    public void Judge_and_embedding_provider_keys_are_read_with_per_provider_defaults()
    {
        using var fixture = WithJudge("""
                  provider: vertex
                  project: gp-data
                  location: europe-west4
                  credentials_file: secrets/sa.json
                  max_concurrency: 8
                  requests_per_minute: 120
                  timeout_seconds: 30
                  cancel_grace_seconds: 12.5
                  max_rows_per_request: 10
                  price_per_million_input_tokens: 0.3
                  price_per_million_output_tokens: 2.5
            """, """
                  provider: openai
                  endpoint: http://127.0.0.1:11434/v1/
                  api_key_env: OLLAMA_KEY
            """);

        var match = ProjectContext.Load(new ProjectOptions(fixture.Directory)).Settings.Match("candidacy_ddhq_matches");

        Assert.Equal(("vertex", "gemini-3.5-flash-lite"), (match.Judge.Provider, match.Judge.Model));
        Assert.Equal(("gp-data", "europe-west4", "secrets/sa.json"), (match.Judge.Connection.Project, match.Judge.Connection.Location, match.Judge.Connection.CredentialsFile));
        Assert.Equal((8, 120.0, 30.0, 10), (match.Judge.Connection.MaxConcurrency, match.Judge.Connection.RequestsPerMinute, match.Judge.Connection.TimeoutSeconds, match.Judge.MaxRowsPerRequest));
        Assert.Equal(0.3 + 2.5, match.Judge.Connection.EstimatedCost(1_000_000, 1_000_000)!.Value, 9);
        // No price set: no estimate (not a cost of 0).
        Assert.Null(match.Embeddings.Connection.EstimatedCost(1_000_000, 1_000_000));
        // Ctrl-C's grace for a request in flight: as written, else 5 s.
        Assert.Equal((12.5, 5.0), (match.Judge.Connection.CancelGraceSeconds, match.Embeddings.Connection.CancelGraceSeconds));
        Assert.Equal(("openai", "text-embedding-3-small", 1536), (match.Embeddings.Provider, match.Embeddings.Model, match.Embeddings.Dimensions));
        Assert.Equal(("http://127.0.0.1:11434/v1", "OLLAMA_KEY"), (match.Embeddings.Connection.Endpoint, match.Embeddings.Connection.ApiKeyEnv));
    }

    [Theory]
    [InlineData("1e-11")]
    [InlineData("0.001")]
    public void A_requests_per_minute_slower_than_one_every_100_minutes_is_em0032_at_the_key(string value)
    {
        using var fixture = WithJudge($"provider: openai\nrequests_per_minute: {value}");

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics);

        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.Contains($"'requests_per_minute' must be 0 (no limit) or a number from 0.01 (one request start every 100 minutes) to 1000000, got {value}", diagnostic.Message, StringComparison.Ordinal);
        Assert.True(diagnostic.Line > 0);
    }

    [Theory]
    [InlineData("0", 0.0)]
    [InlineData("0.01", 0.01)]
    public void A_requests_per_minute_of_0_or_one_every_100_minutes_is_taken(string value, double expected)
    {
        using var fixture = WithJudge($"provider: openai\nrequests_per_minute: {value}");

        Assert.Equal(expected, ProjectContext.Load(new ProjectOptions(fixture.Directory)).Settings.Match("candidacy_ddhq_matches").Judge.Connection.RequestsPerMinute);
    }

    [Fact]
    public void Max_output_tokens_and_a_vertex_thinking_budget_are_read_and_a_thinking_budget_for_openai_is_em0032()
    {
        using var vertex = WithJudge("provider: vertex\nmax_output_tokens: 8192\nthinking_budget: 0");
        using var openai = WithJudge("provider: openai\nthinking_budget: 1024");

        var judge = ProjectContext.Load(new ProjectOptions(vertex.Directory)).Settings.Match("candidacy_ddhq_matches").Judge;
        Assert.Equal((8192, 0), (judge.MaxOutputTokens, judge.ThinkingBudget));
        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(openai.Directory))).Diagnostics);
        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.Contains("'thinking_budget' is Gemini's thinkingConfig on Vertex AI, and this judge's provider is openai", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("provider: vertex", "gemini-3.5-flash-lite", null)]
    [InlineData("provider: vertex\nmodel: gemini-3.1-flash-lite", "gemini-3.1-flash-lite", null)]
    [InlineData("provider: vertex\nmodel: gemini-2.5-flash", "gemini-2.5-flash", 0.0)]
    [InlineData("provider: vertex\ntemperature: 0", "gemini-3.5-flash-lite", 0.0)]
    [InlineData("provider: openai", "gpt-4o-mini", 0.0)]
    public void A_gemini_3_judge_sends_no_temperature_unless_set_as_google_advises_and_others_send_0(string block, string model, double? expected)
    {
        using var fixture = WithJudge(block);

        var judge = ProjectContext.Load(new ProjectOptions(fixture.Directory)).Settings.Match("candidacy_ddhq_matches").Judge;

        Assert.Equal((model, expected), (judge.Model, judge.Temperature));
    }

    [Theory]
    [InlineData("provider: vertex\nthinking_level: low", "LOW", null)]
    [InlineData("provider: vertex\nthinking_level: MINIMAL", "MINIMAL", null)]
    [InlineData("provider: vertex\nthinking_level: lots", null, "'thinking_level' must be minimal, low, medium or high (Gemini 3's thinkingConfig.thinkingLevel), got 'lots'")]
    [InlineData("provider: vertex\nthinking_level: low\nthinking_budget: 0", null, "'thinking_level' and 'thinking_budget' cannot both be set (Vertex AI refuses a request with both)")]
    [InlineData("provider: openai\nthinking_level: low", null, "'thinking_level' is Gemini's thinkingConfig on Vertex AI, and this judge's provider is openai; leave it out")]
    [InlineData("provider: vertex\nmodel: gemini-2.5-flash\nthinking_level: low", null, "'thinking_level' is for Gemini 3 and later, and gemini-2.5-flash refuses it (Vertex AI answers HTTP 400); set its thinking with 'thinking_budget'")]
    public void A_thinking_level_is_read_for_a_vertex_judge_and_refused_with_a_budget_or_another_provider(string block, string? level, string? message)
    {
        using var fixture = WithJudge(block);

        if (message is null)
        {
            Assert.Equal(level, ProjectContext.Load(new ProjectOptions(fixture.Directory)).Settings.Match("candidacy_ddhq_matches").Judge.ThinkingLevel);
            return;
        }

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics);
        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.Contains(message, diagnostic.Message, StringComparison.Ordinal);
        Assert.StartsWith("thinking_level:", File.ReadAllLines(Path.Combine(fixture.Directory, "electionmatch.yml"))[diagnostic.Line - 1].Trim(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 0.0)]
    [InlineData("temperature: 0", 0.0)]
    [InlineData("temperature: 0.7", 0.7)]
    [InlineData("temperature: 2", 2.0)]
    [InlineData("temperature: default", null)]
    [InlineData("temperature: 'default'", null)]
    public void The_judges_temperature_is_0_unless_set_and_default_sends_none(string? line, double? expected)
    {
        using var fixture = WithJudge("provider: openai\nmodel: o4-mini" + (line is null ? "" : "\n" + line));

        Assert.Equal(expected, ProjectContext.Load(new ProjectOptions(fixture.Directory)).Settings.Match("candidacy_ddhq_matches").Judge.Temperature);
    }

    [Theory]
    [InlineData("temperature: warm", "'temperature' must be a number from 0 to 2, or default to send none (the model's own, which OpenAI's reasoning models o1, o3, o4-mini and gpt-5 require), got 'warm'")]
    [InlineData("temperature: Default", "'temperature' must be a number from 0 to 2, or default to send none (the model's own, which OpenAI's reasoning models o1, o3, o4-mini and gpt-5 require), got 'Default'")]
    [InlineData("temperature: 2.5", "'temperature' must be a number from 0 to 2, or default to send none (the model's own, which OpenAI's reasoning models o1, o3, o4-mini and gpt-5 require), got 2.5")]
    [InlineData("temperature: -0.1", "'temperature' must be a number from 0 to 2, or default")]
    [InlineData("temperature: null", "'temperature' is empty: write a number from 0 to 2, or default to send none (the model's own, which OpenAI's reasoning models o1, o3, o4-mini and gpt-5 require), or leave the key out for 0")]
    [InlineData("temperature:", "'temperature' is empty: write a number from 0 to 2, or default")]
    [InlineData("temperature: .nan", "'temperature' must be a number from 0 to 2, or default")]
    public void A_temperature_that_is_neither_a_number_from_0_to_2_nor_default_is_em0032_at_its_line(string line, string message)
    {
        using var fixture = WithJudge("provider: openai\n" + line);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics);

        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.Contains(message, diagnostic.Message, StringComparison.Ordinal);
        Assert.EndsWith("electionmatch.yml", diagnostic.File, StringComparison.Ordinal);
        var lines = File.ReadAllLines(Path.Combine(fixture.Directory, "electionmatch.yml"));
        Assert.StartsWith("temperature:", lines[diagnostic.Line - 1].Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_provider_is_united_with_the_offline_embedder_unless_union_offline_is_false()
    {
        using var byDefault = WithJudge("provider: offline", "provider: vertex");
        using var alone = WithJudge("provider: offline", "provider: vertex\nunion_offline: false");
        using var wrong = WithJudge("provider: offline", "provider: vertex\nunion_offline: sometimes");

        Assert.True(ProjectContext.Load(new ProjectOptions(byDefault.Directory)).Settings.Match("candidacy_ddhq_matches").Embeddings.UnionOffline);
        Assert.False(ProjectContext.Load(new ProjectOptions(alone.Directory)).Settings.Match("candidacy_ddhq_matches").Embeddings.UnionOffline);
        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(wrong.Directory))).Diagnostics);
        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.Contains("'union_offline' must be true or false, got 'sometimes'", diagnostic.Message, StringComparison.Ordinal);
        Assert.True(diagnostic.Line > 0);
    }

    [Theory]
    [InlineData("provider: vertex", 128)]
    [InlineData("provider: vertex\nmodel: gemini-embedding-001", 128)]
    [InlineData("provider: vertex\nmodel: gemini-embedding-2", 1)]
    [InlineData("provider: vertex\nbatch_size: 250", 250)]
    [InlineData("provider: openai\nbatch_size: 2048", 2048)]
    public void An_embedding_request_carries_batch_size_texts_else_128_else_one_for_a_model_that_takes_one(string block, int expected)
    {
        using var fixture = WithJudge("provider: offline", block);

        Assert.Equal(expected, ProjectContext.Load(new ProjectOptions(fixture.Directory)).Settings.Match("candidacy_ddhq_matches").Embeddings.TextsPerRequest);
    }

    [Theory]
    [InlineData("provider: vertex\nbatch_size: 251", "'batch_size' must be a whole number from 1 to 250, got 251")]
    [InlineData("provider: openai\nbatch_size: 2049", "'batch_size' must be a whole number from 1 to 2048, got 2049")]
    [InlineData("provider: vertex\nbatch_size: 0", "'batch_size' must be a whole number from 1 to 250, got 0")]
    [InlineData("provider: vertex\nbatch_size: 12.5", "'batch_size' must be a whole number from 1 to 250, got 12.5")]
    public void A_batch_size_the_provider_never_takes_is_em0032_at_its_line(string block, string message)
    {
        using var fixture = WithJudge("provider: offline", block);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics);

        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.Contains(message, diagnostic.Message, StringComparison.Ordinal);
        var lines = File.ReadAllLines(Path.Combine(fixture.Directory, "electionmatch.yml"));
        Assert.StartsWith("batch_size:", lines[diagnostic.Line - 1].Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_written_into_the_settings_is_refused_without_echoing_it()
    {
        using var fixture = WithJudge("""
                  provider: openai
                  api_key: sk-proj-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345
            """);

        var error = Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(Codes.SecretInSettings, diagnostic.Code);
        Assert.Contains("api_key_env", diagnostic.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ABCDEFGHIJ", diagnostic.ToString(), StringComparison.Ordinal);
        Assert.True(diagnostic.Line > 0);
    }

    [Fact]
    public void A_misspelt_key_or_provider_gets_the_nearest_suggestion()
    {
        using var fixture = WithJudge("""
                  provider: vertx
                  max_concurency: 4
            """);

        var error = Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));

        Assert.Contains(error.Diagnostics, d => d.Code == Codes.UnknownKey && d.Message.Contains("did you mean 'max_concurrency'?", StringComparison.Ordinal));
        Assert.Contains(error.Diagnostics, d => d.Code == Codes.InvalidSetting && d.Message.Contains("did you mean 'vertex'?", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://emuser:Pl4nted-pass-word@127.0.0.1:11434/v1")]
    [InlineData("https://:Pl4nted-pass-word@example.com/v1")]
    [InlineData("ftp://emuser:Pl4nted-pass-word@example.com/v1")]
    public void An_endpoint_holding_a_user_and_password_is_refused_without_quoting_them(string endpoint)
    {
        using var fixture = WithJudge($"""
                  provider: openai
                  endpoint: {endpoint}
            """);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics);

        Assert.Equal(Codes.SecretInSettings, diagnostic.Code);
        Assert.Contains("'endpoint' holds a user name or password (user:password@host)", diagnostic.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Pl4nted-pass-word", diagnostic.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_404_names_the_url_asked_without_its_user_information()
    {
        var failure = ElectionMatch.Matching.Providers.ProviderFailure.NotFound(new Uri("http://emuser:Pl4nted-pass-word@127.0.0.1:9/v1/chat/completions?x=1"), "");

        Assert.Contains("nothing answers at http://127.0.0.1:9/v1/chat/completions:", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Pl4nted", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_api_key_env_that_is_not_a_variable_name_is_refused()
    {
        using var fixture = WithJudge("""
                  provider: openai
                  api_key_env: sk-live-value-not-a-name
            """);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics);

        Assert.Equal(Codes.SecretInSettings, diagnostic.Code);
        Assert.DoesNotContain("sk-live-value-not-a-name", diagnostic.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sk_live_51HqLyjWDarjtT1zdp7dc")]
    [InlineData("AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q")]
    [InlineData("ghp_16C7e42F292c6912E7710c838347Ae178B4a")]
    public void An_api_key_env_that_is_a_variable_name_but_looks_like_a_key_is_refused_without_quoting_it(string value)
    {
        using var fixture = WithJudge($"""
                  provider: openai
                  api_key_env: {value}
            """);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics);

        Assert.Equal(Codes.SecretInSettings, diagnostic.Code);
        Assert.Contains("looks like a key", diagnostic.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value, diagnostic.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("OPENAI_API_KEY")]
    [InlineData("GOODPARTY_OPENAI_API_KEY_2024_PRODUCTION")]
    [InlineData("ollama_key")]
    [InlineData("MyCompanyOpenAiKey2")]
    [InlineData("AzureOpenAiKeyProduction2")]
    [InlineData("Zq81xLmTq7Vn3Bw9Kd2Rf6Hs")]
    public void Ordinary_variable_names_are_taken_as_names(string value)
    {
        using var fixture = WithJudge($"""
                  provider: openai
                  api_key_env: {value}
            """);

        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

        Assert.Contains(context.Settings.Matches.Values, m => m.Judge.Connection.ApiKeyEnv == value);
    }

    [Fact]
    public void An_azure_deployment_url_without_a_deployment_name_is_refused()
    {
        using var fixture = WithJudge("""
                  provider: openai
                  endpoint: https://gp.openai.azure.com/openai/deployments/?api-version=2024-10-21
            """);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics);

        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.Contains("names no deployment", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("model: ''", "'model' is empty: write a value, or leave the key out for vertex's default, gemini-3.5-flash-lite")]
    [InlineData("model: '  '", "'model' is empty")]
    [InlineData("location: ''", "'location' is empty: write a value, or leave the key out to use the environment variable GOOGLE_CLOUD_LOCATION, else us-central1")]
    [InlineData("project: ''", "'project' is empty")]
    [InlineData("model: ' gemini-2.5-pro'", "'model' has white space around it (' gemini-2.5-pro'): write 'gemini-2.5-pro'")]
    public void An_empty_or_padded_model_project_or_location_is_refused_at_its_line(string line, string message)
    {
        using var fixture = WithJudge($"""
                  provider: vertex
                  {line}
            """);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics);

        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.Contains(message, diagnostic.Message, StringComparison.Ordinal);
        var lines = File.ReadAllLines(Path.Combine(fixture.Directory, "electionmatch.yml"));
        Assert.Equal(line.Split(':')[0], lines[diagnostic.Line - 1].Trim().Split(':')[0]);
    }

    [Fact]
    public void A_cached_input_price_is_read_in_either_block_and_a_character_price_in_the_embeddings_block()
    {
        using var fixture = WithJudge("""
                  provider: vertex
                  price_per_million_input_tokens: 0.3
                  price_per_million_cached_input_tokens: 0.075
                  price_per_million_output_tokens: 2.5
            """, """
                  provider: vertex
                  price_per_million_input_characters: 0.025
            """);

        var match = ProjectContext.Load(new ProjectOptions(fixture.Directory)).Settings.Match("candidacy_ddhq_matches");

        Assert.Equal((0.075, null), (match.Judge.Connection.PricePerMillionCachedInputTokens, match.Judge.Connection.PricePerMillionInputCharacters));
        Assert.Equal(0.025, match.Embeddings.Connection.PricePerMillionInputCharacters);
        // A million tokens in, 400,000 of them cached, a million out: 0.18 + 0.03 + 2.5.
        Assert.Equal(2.71, match.Judge.Connection.EstimatedCost(1_000_000, 1_000_000, 400_000)!.Value, 9);
        // The embeddings bill their two million characters alone.
        Assert.Equal(0.05, match.Embeddings.Connection.EstimatedCost(1_000_000, 0, 0, 2_000_000)!.Value, 9);
    }

    [Theory]
    [InlineData("price_per_million_cached_input_tokens: -0.075", null, "-0.075", "'price_per_million_cached_input_tokens' must be a number from 0 to 1000000, got -0.075")]
    [InlineData("price_per_million_cached_input_tokens: 2000000", null, "2000000", "'price_per_million_cached_input_tokens' must be a number from 0 to 1000000, got 2000000")]
    [InlineData(null, "price_per_million_cached_input_tokens: -1", "-1", "'price_per_million_cached_input_tokens' must be a number from 0 to 1000000, got -1")]
    [InlineData(null, "price_per_million_input_characters: -0.025", "-0.025", "'price_per_million_input_characters' must be a number from 0 to 1000000, got -0.025")]
    [InlineData(null, "price_per_million_input_characters: .nan", ".nan", "'price_per_million_input_characters' must be a finite number, got '.nan'")]
    [InlineData(null, "price_per_million_input_tokens: 0.1\nprice_per_million_input_characters: 0.025", "price_per_million_input_characters",
        "'price_per_million_input_characters' bills the input by its characters in place of 'price_per_million_input_tokens': set the one the model bills by")]
    [InlineData(null, "price_per_million_input_characters: 0.025\nprice_per_million_cached_input_tokens: 0.01", "price_per_million_input_characters",
        "'price_per_million_input_characters' bills the input by its characters in place of 'price_per_million_cached_input_tokens'")]
    public void A_bad_cached_input_or_character_price_is_em0032_at_its_file_line_and_column(string? judgeLine, string? embeddingsLines, string at, string message)
    {
        using var fixture = WithJudge("provider: vertex\n" + judgeLine, embeddingsLines is null ? null : "provider: vertex\n" + embeddingsLines);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics);

        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.Contains(message, diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(fixture.Directory, "electionmatch.yml"), Path.GetFullPath(diagnostic.File, fixture.Directory));
        var line = File.ReadAllLines(Path.Combine(fixture.Directory, "electionmatch.yml"))[diagnostic.Line - 1];
        Assert.Contains(at, line, StringComparison.Ordinal);
        Assert.Equal(line.IndexOf(at, StringComparison.Ordinal) + 1, diagnostic.Column);
    }

    [Fact]
    public void A_cached_input_or_character_price_decides_nothing_of_the_rows_so_an_incremental_run_keeps_its_partitions()
    {
        using var unpriced = WithJudge("provider: vertex", "provider: vertex");
        using var priced = WithJudge("provider: vertex\nprice_per_million_cached_input_tokens: 0.075", "provider: vertex\nprice_per_million_input_characters: 0.025");

        static string Key(FixtureCopy fixture) => ProjectContext.Load(new ProjectOptions(fixture.Directory)).Settings.Match("candidacy_ddhq_matches").ResultsSha256;

        Assert.Equal(Key(unpriced), Key(priced));
    }

    [Fact]
    public void A_character_price_in_the_judge_block_is_an_unknown_key()
    {
        using var fixture = WithJudge("provider: vertex\nprice_per_million_input_characters: 0.025");

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics);

        Assert.Equal(Codes.UnknownKey, diagnostic.Code);
        Assert.Contains("unknown key 'price_per_million_input_characters'", diagnostic.Message, StringComparison.Ordinal);
    }

    /// <summary>The fixture project with the candidacy match's judge (and optionally embeddings) block replaced.</summary>
    private static FixtureCopy WithJudge(string judge, string? embeddings = null)
    {
        var fixture = FixtureCopy.Of("goodparty");
        var path = Path.Combine(fixture.Directory, "electionmatch.yml");
        var text = File.ReadAllText(path);
        var judgeBlock = "    judge:\n      provider: offline\n\n  # L2";
        Assert.Contains(judgeBlock, text, StringComparison.Ordinal);
        text = text.Replace(judgeBlock, "    judge:\n" + Indent(judge) + "\n  # L2", StringComparison.Ordinal);
        if (embeddings is not null)
        {
            text = text.Replace("    embeddings:\n      provider: offline\n      dimensions: 256\n", "    embeddings:\n" + Indent(embeddings) + "\n", StringComparison.Ordinal);
        }

        File.WriteAllText(path, text);
        return fixture;
    }

    private static string Indent(string block) =>
        string.Join("\n", block.Split('\n').Select(l => "      " + l.Trim()).Where(l => l.Trim().Length > 0));
}
