using System.Globalization;
using ElectionMatch.Diagnostics;
using ElectionMatch.Matching.Providers;
using Microsoft.Extensions.AI;

namespace ElectionMatch.Matching.Judging;

/// <summary>
/// A judge behind <see cref="IChatClient"/> (Gemini on Vertex AI, any OpenAI-compatible endpoint). Each contest is
/// answered from the cache when it can be; otherwise the model is asked, its reply validated row by row, an invalid
/// reply answered once with the errors stated, and a row still invalid after that (or whose follow-up could not be
/// asked) recorded as undecided with the reason. A request once sent may finish after Ctrl-C (<see cref="Interruption"/>). The outcome is cached the moment it is known; an undecided one is asked again by the next live run and
/// replayed as it is by --replay. In replay mode the network is never called.
/// </summary>
internal sealed class LlmJudge : IMatchJudge
{
    /// <summary>The most characters of an invalid reply sent back in its follow-up; a valid reply of 25 rows is about a tenth of it.</summary>
    internal const int MaxEchoedReply = 100_000;

    private readonly IChatClient? _chat;
    private readonly JudgePrompt _prompt;
    private readonly JudgeCache _cache;
    private readonly string _provider;
    private readonly string _model;
    private readonly int _maxConcurrency;
    private readonly Interruption _interruption;

    /// <param name="chat">Null in replay mode: every answer must come from the cache.</param>
    public LlmJudge(IChatClient? chat, string provider, string model, JudgePrompt prompt, JudgeCache cache, ModelUsage usage, int maxConcurrency, Interruption interruption)
    {
        _interruption = interruption;
        _chat = chat;
        _provider = provider;
        _model = model;
        _prompt = prompt;
        _cache = cache;
        Usage = usage;
        _maxConcurrency = maxConcurrency;
    }

    public string Name => $"{_provider}/{_model}";

    /// <summary>Sent as the request's output limit when set (judge.max_output_tokens).</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>The sampling temperature sent (judge.temperature, default 0); null sends none, so the model's own applies.</summary>
    public float? Temperature { get; init; } = 0;

    public int MaxConcurrency => _maxConcurrency;

    public ModelUsage Usage { get; }

    public Diagnostics.SourceSpan At => Usage.Connection.At;

    public async Task<IReadOnlyList<JudgeAnswer>> JudgeAsync(JudgeRequest request, CancellationToken cancellationToken)
    {
        // The model sees rows numbered 1..n in the request's order, not the run's keys, which shift whenever an input
        // row is added elsewhere: an unchanged contest then hashes the same and is answered from the cache.
        var keys = request.Rows.Select(r => r.Key).ToList();
        var numbered = request with { Rows = request.Rows.Select((r, i) => r with { Key = Number(i) }).ToList() };
        var answers = await JudgeNumberedAsync(numbered, cancellationToken).ConfigureAwait(false);
        return answers.Select(a => a with { RowKey = keys[int.Parse(a.RowKey, CultureInfo.InvariantCulture) - 1] }).ToList();
    }

    private static string Number(int index) => (index + 1).ToString(CultureInfo.InvariantCulture);

    private async Task<IReadOnlyList<JudgeAnswer>> JudgeNumberedAsync(JudgeRequest request, CancellationToken cancellationToken)
    {
        var data = JudgePrompt.Data(request);
        var key = new JudgeCacheKey(_provider, _model, _prompt.InstructionsSha256, JudgePrompt.InputSha256(request));
        // An undecided outcome is not an answer worth keeping: a live run asks again (and a valid reply replaces it),
        // while --replay reproduces it, so a replayed snapshot equals the run it replays.
        if (_cache.Find(key) is { } cached && (_chat is null || !cached.Any(a => a.Undecided)))
        {
            Usage.CacheHit();
            Usage.Undecided(cached.Count(a => a.Undecided));
            return cached;
        }

        if (_chat is null)
        {
            throw new ReplayMissException(request.ContestKey, key.InputSha256, _cache.AnsweredUnderOtherInstructions(key) ? _prompt.TemplateName : null);
        }

        return await _interruption.SendAsync(TimeSpan.FromSeconds(Usage.Connection.CancelGraceSeconds), cancellationToken,
            inFlight => AskAsync(request, data, key, inFlight)).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks the model; a reply that breaks the contract for some rows is answered once with the errors. Every row the
    /// first reply answered validly is kept whatever becomes of that follow-up (refused, failed past its retries, not
    /// sent because the run was stopped): only the rows still invalid are undecided, and the outcome is cached.
    /// </summary>
    private async Task<IReadOnlyList<JudgeAnswer>> AskAsync(JudgeRequest request, string data, JudgeCacheKey key, CancellationToken cancellationToken)
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, _prompt.Instructions), new(ChatRole.User, JudgePrompt.Message(data)) };
        var options = new ChatOptions
        {
            ModelId = _model,
            Temperature = Temperature,
            MaxOutputTokens = MaxOutputTokens,
            ResponseFormat = ChatResponseFormat.ForJsonSchema(JudgePrompt.ReplySchema, "judge_reply", "One answer per row of the contest."),
            // OpenAI's structured outputs: "strict": true in response_format.json_schema, which the schema allows (every
            // property required, no additional properties). Microsoft.Extensions.AI.OpenAI reads this key; Vertex ignores it.
            AdditionalProperties = new() { [JudgePrompt.StrictSchemaKey] = true },
        };

        long inputTokens = 0, outputTokens = 0;
        var first = await ReplyAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var verdicts = JudgeReplyValidator.Validate(first.Text, request, first.NoTextReason, first.CutShort);
        var errors = verdicts.Values.Where(v => v.Error is not null).Select(v => v.Error!).Distinct().ToList();
        // Why the rows still invalid were not asked again; null when the follow-up was answered.
        string? noFollowUp = null;
        if (errors.Count > 0)
        {
            Usage.InvalidReply();
            if (_interruption.Stop.IsCancellationRequested)
            {
                noFollowUp = "the run was stopped before the follow-up was sent";
                Usage.FollowUpFailed();
            }
            else
            {
                // A runaway reply is not sent back whole: the follow-up would pay for it again as input.
                messages.Add(new ChatMessage(ChatRole.Assistant, first.Text.Length <= MaxEchoedReply ? first.Text : first.Text[..MaxEchoedReply] + "…"));
                messages.Add(new ChatMessage(ChatRole.User, JudgePrompt.FollowUp(errors)));
                try
                {
                    var reply = await ReplyAsync(messages, options, cancellationToken).ConfigureAwait(false);
                    var second = JudgeReplyValidator.Validate(reply.Text, request, reply.NoTextReason, reply.CutShort);
                    if (second.Values.Any(v => v.Error is not null))
                    {
                        Usage.InvalidReply();
                    }

                    // A row keeps its first valid answer; a row invalid twice is undecided with the latest reason.
                    verdicts = verdicts.ToDictionary(v => v.Key, v => v.Value.Answer is not null ? v.Value : second[v.Key], StringComparer.Ordinal);
                }
                catch (OperationCanceledException)
                {
                    // Abandoned in flight: the first reply was paid for, so its valid rows are kept before the run stops.
                    Usage.FollowUpFailed();
                    Store(request, key, verdicts, "the run was stopped before the follow-up's reply arrived", inputTokens, outputTokens);
                    throw;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    noFollowUp = $"the follow-up request failed ({ProviderFailure.Describe(e)})";
                    Usage.FollowUpFailed();
                }
            }
        }

        return Store(request, key, verdicts, noFollowUp, inputTokens, outputTokens);

        async Task<(string Text, string? NoTextReason, string? CutShort)> ReplyAsync(List<ChatMessage> conversation, ChatOptions chatOptions, CancellationToken token)
        {
            ChatResponse response;
            try
            {
                response = await _chat!.GetResponseAsync(conversation, chatOptions, token).ConfigureAwait(false);
            }
            catch (Exception e) when (ProviderFailure.PromptFiltered(e) is { } filtered)
            {
                // Azure OpenAI refuses a prompt its content filter flags with HTTP 400, where Vertex AI answers one it blocks
                // with an empty reply: read as that, so one contest's data leaves its rows undecided, with the reason,
                // instead of failing the run at it again every time it is run.
                Usage.Answered(0, 0);
                return ("", filtered, null);
            }

            var input = response.Usage?.InputTokenCount ?? 0;
            var output = response.Usage?.OutputTokenCount ?? 0;
            inputTokens += input;
            outputTokens += output;
            Usage.Answered(input, output, response.Usage?.CachedInputTokenCount ?? 0);
            // The reply is stored (cache, run tables, the snapshot, its parquet) and quoted in undecided reasons: a
            // server that echoes the request's credentials back must not plant them there.
            var noTextReason = response.AdditionalProperties?.TryGetValue(VertexChatClient.NoTextReason, out var reason) == true ? reason?.ToString() : Refusal(response);
            return (Secrets.Redact(response.Text), noTextReason is null ? null : Secrets.Redact(noTextReason), CutShort(response.FinishReason));
        }
    }

    /// <summary>
    /// The model's refusal, OpenAI's <c>refusal</c> field in place of the reply's content (structured outputs: a request
    /// it will not answer), as Microsoft.Extensions.AI.OpenAI passes it on (an error content of code <c>Refusal</c>, or in
    /// earlier versions the response's additional properties); null when it did not refuse.
    /// </summary>
    private static string? Refusal(ChatResponse response)
    {
        var refusal = response.Messages.SelectMany(m => m.Contents).OfType<ErrorContent>().FirstOrDefault(c => c.ErrorCode == "Refusal")?.Message
            ?? (response.AdditionalProperties?.TryGetValue("Refusal", out var said) == true ? said?.ToString() : null);
        return string.IsNullOrWhiteSpace(refusal) ? null : $"the model refused: {refusal.Trim()}";
    }

    /// <summary>
    /// Why the model stopped before its reply was done, when it says so (OpenAI's <c>finish_reason</c> <c>length</c> or
    /// <c>content_filter</c>, Vertex AI's <c>finishReason</c> <c>MAX_TOKENS</c> or a safety stop): a reply cut there is
    /// incomplete JSON, and the parser's position alone does not say that the output limit is what to raise.
    /// </summary>
    private string? CutShort(ChatFinishReason? reason) =>
        reason == ChatFinishReason.Length
            ? MaxOutputTokens is { } most
                ? string.Create(CultureInfo.InvariantCulture, $"the model stopped at the output limit, max_output_tokens {most}: raise it, or send fewer rows a request (max_rows_per_request)")
                : "the model stopped at its own output limit: set max_output_tokens above it, or send fewer rows a request (max_rows_per_request)"
            : reason == ChatFinishReason.ContentFilter ? "the provider's content filter stopped the reply"
            : null;

    /// <param name="noFollowUp">Why a row invalid in the first reply was not asked again; null when it was, and was invalid twice.</param>
    private List<JudgeAnswer> Store(JudgeRequest request, JudgeCacheKey key, IReadOnlyDictionary<string, RowVerdict> verdicts, string? noFollowUp, long inputTokens, long outputTokens)
    {
        var answers = request.Rows.Select(row => verdicts[row.Key] is { Answer: { } answer }
            ? answer
            : JudgeAnswer.UndecidedRow(row.Key, noFollowUp is null
                ? $"the judge's reply was invalid twice: {verdicts[row.Key].Error}"
                : $"the judge's reply was invalid ({verdicts[row.Key].Error}) and {noFollowUp}")).ToList();
        Usage.Undecided(answers.Count(a => a.Undecided));
        _cache.Store(key, request.ContestKey, answers, inputTokens, outputTokens);
        return answers;
    }
}
