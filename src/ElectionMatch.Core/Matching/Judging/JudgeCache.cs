using System.Data.Common;
using System.Text.Json;
using ElectionMatch.Warehouse;
using DuckDB.NET.Data;

namespace ElectionMatch.Matching.Judging;

/// <summary>
/// Every paid judge answer, kept in the warehouse (<c>electionmatch_cache.judge_answers</c>) by provider, model,
/// SHA-256 of the rendered prompt and SHA-256 of the request's data, so a second run — or a run resumed after a
/// crash or Ctrl-C — asks the network nothing it already paid for. Each answer commits as it arrives.
/// Requests run concurrently; the cache's connection is used by one of them at a time.
/// </summary>
/// <remarks>
/// The cache has a connection of its own: the judge stage asks it while the evidence streams from the warehouse's
/// connection, and any command there closes that stream. Before, a run whose judge had more contests than one window
/// (<see cref="JudgeStage"/>) failed reading the next window, on every run after it too, the answers coming from the cache.
/// </remarks>
internal sealed class JudgeCache : IDisposable
{
    private const string Table = "judge_answers";
    private readonly DuckDBConnection _connection;
    private readonly Lock _gate = new();

    public JudgeCache(DuckDbWarehouse warehouse)
    {
        _connection = warehouse.OpenSecondConnection();
        using var command = _connection.CreateCommand();
        command.CommandText = $"""
            create schema if not exists {Sql.Identifier(Embeddings.EmbeddingCache.Schema)};
            create table if not exists {QualifiedTable} (
                provider varchar, model varchar, prompt_sha256 varchar, input_sha256 varchar, contest varchar,
                answers json, input_tokens bigint, output_tokens bigint, created_at timestamp,
                primary key (provider, model, prompt_sha256, input_sha256))
            """;
        command.ExecuteNonQuery();
    }

    public static string QualifiedTable => Sql.Identifier(Embeddings.EmbeddingCache.Schema, Table);

    public IReadOnlyList<JudgeAnswer>? Find(JudgeCacheKey key)
    {
        lock (_gate)
        {
            using var command = Command($"select answers from {QualifiedTable} where provider = $provider and model = $model and prompt_sha256 = $prompt and input_sha256 = $input", key);
            return command.ExecuteScalar() is string json ? JsonSerializer.Deserialize<List<JudgeAnswer>>(json) : null;
        }
    }

    /// <summary>
    /// Whether the key's provider and model have answers cached under other instructions than the key's: for the key's
    /// data, or at all while none under the key's own (the template, or what it renders, changed since they were cached).
    /// </summary>
    public bool AnsweredUnderOtherInstructions(JudgeCacheKey key)
    {
        lock (_gate)
        {
            using var command = Command($"""
                select count(*) filter (where prompt_sha256 <> $prompt and input_sha256 = $input) > 0
                    or (count(*) filter (where prompt_sha256 = $prompt) = 0 and count(*) > 0)
                from {QualifiedTable}
                where provider = $provider and model = $model
                """, key);
            return command.ExecuteScalar() is true;
        }
    }

    public void Store(JudgeCacheKey key, string contest, IReadOnlyList<JudgeAnswer> answers, long inputTokens, long outputTokens)
    {
        lock (_gate)
        {
            using var command = Command($"""
                insert or replace into {QualifiedTable}
                values ($provider, $model, $prompt, $input, $contest, $answers, $input_tokens, $output_tokens, current_timestamp)
                """, key);
            Add(command, "contest", contest);
            Add(command, "answers", JsonSerializer.Serialize(answers));
            Add(command, "input_tokens", inputTokens);
            Add(command, "output_tokens", outputTokens);
            command.ExecuteNonQuery();
        }
    }

    private DuckDBCommand Command(string sql, JudgeCacheKey key)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        Add(command, "provider", key.Provider);
        Add(command, "model", key.Model);
        Add(command, "prompt", key.PromptSha256);
        Add(command, "input", key.InputSha256);
        return command;
    }

    private static void Add(DbCommand command, string name, object value) =>
        command.Parameters.Add(new DuckDBParameter(name, value));

    public void Dispose() => _connection.Dispose();
}

/// <param name="PromptSha256">SHA-256 of the rendered instructions (<see cref="JudgePrompt.InstructionsSha256"/>).</param>
/// <param name="InputSha256">SHA-256 of the request's data block: the rows and candidates exactly as sent.</param>
internal sealed record JudgeCacheKey(string Provider, string Model, string PromptSha256, string InputSha256);
