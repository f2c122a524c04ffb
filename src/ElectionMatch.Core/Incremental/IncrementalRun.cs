using System.Globalization;
using ElectionMatch.Matches;
using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Matching.Scoring;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Incremental;

/// <summary>
/// <c>run --incremental</c> for a candidacy match: the inputs are split into state partitions, and a partition
/// is recomputed only when its cache key changed — the hash of its input rows, of the scoring model and of the
/// settings (and the build of the code that computed it). Every partition is matched on its own with one stored model, so a partition's
/// rows depend on nothing outside it and the published snapshot equals a full recompute (<c>--full</c>).
/// The model is trained once on the whole input and reused until the settings, the tool's build, the reference data
/// or the comparisons' level definitions it was trained with change or <c>--retrain</c> asks; see docs/design.md, "Incremental runs".
/// </summary>
internal static class IncrementalRun
{
    /// <summary>
    /// The table in an incremental run's schema that lists its state partitions, each with its cache key and the schema
    /// that shows its cached stages (<see cref="PartitionCache.Shown"/>, once its key is set: <see cref="PartitionCache.ShowKey"/>), whether the run reused it and when it was
    /// computed: what <c>explain</c> reads in place of the run's own stages.
    /// </summary>
    public const string PartitionsTable = "state_partitions";

    public static MatchResult Execute(DuckDbWarehouse warehouse, MatchSettings match, MatchInputs inputs, IncrementalRequest request, Action<StageReport>? progress, CancellationToken cancellationToken = default)
    {
        var definition = MatchDefinition.For(match.Kind);
        var run = RunSchema.For(match.Name);
        // Every partition is matched here; the run schema keeps the last assembled run, which explain reads, until this one is assembled.
        var scratch = run.Part("partition");
        // Every partition's share of a batch's run at once, as views over its stages (PartitionSlice), which its counts and
        // the cache's store read; and where builds before session 59 showed one partition's share at a time, dropped if a
        // killed run left it.
        var sliceAll = run.Part("slices");
        var slice = run.Part("slice");
        // The reference tables every partition's cleaning joins, loaded once (CandidacyDdhqMatcher.LoadReference).
        var reference = run.Part("reference");
        var cache = new PartitionCache(warehouse, match.Name, definition.Columns);
        // What the last run cached, before this one replaces it: which states it had, and what their keys were made of.
        var cachedBefore = cache.Entries();
        // What a run killed while training or matching a partition left.
        DropSchemas(warehouse, slice, sliceAll, scratch, run.Part("training"), reference);
        var stages = new List<StageReport>();
        void Report(StageReport stage)
        {
            stages.Add(stage);
            progress?.Invoke(stage);
        }

        var clock = StageClock.Start();
        var kept = new List<string>();
        var partitions = StatePartitions.Of(warehouse, PartitionCache.Schema, match, inputs, request.Full ? null : kept);
        var inputSha256 = StatePartitions.InputHashes(warehouse, PartitionCache.Schema);
        Report(clock.Report("state_partitions", () => (partitions.Sum(p => p.LeftRows), partitions.Count), () =>
            $"{partitions.Count} partitions hashed (one per state, and the rows with no usable state)" +
            kept.Count switch
            {
                0 => "",
                1 => $"; the {kept[0]} input's file unchanged since the last run, its row hashes kept",
                _ => "; both inputs' files unchanged since the last run, their row hashes kept",
            }));

        clock.Restart();
        // A model stored or published by a build with other comparisons is not used: its weights are read by level index;
        // nor one trained under other level definitions (a level's SQL or their order changed, its name not), or with
        // other reference data: what its levels cover (a nickname, a middle name) was other pairs.
        var provenance = new ModelProvenance(
            ReferenceData.Hashes(definition.ReferenceFiles),
            request.ComparisonLevels ?? ComparisonDefinitions.Of(definition.Comparisons),
            request.Tool);
        var misfits = new List<(string Model, string Why)>();
        bool Fits(ModelParameters candidate, ModelProvenance trainedWith, string what)
        {
            var why = candidate.Misfit(definition.Comparisons) is { } levels
                ? $"trained by a build with other comparisons ({levels})"
                : trainedWith.OtherThan(provenance);
            if (why is null)
            {
                return true;
            }

            misfits.Add((what, why));
            return false;
        }

        var stored = request.Retrain ? null : cache.FindModel(request.SettingsSha256, match.At, request.RetrainOption);
        if (stored is { } found && !Fits(found.Model, found.Provenance, $"the stored model {found.Sha256[..12]}"))
        {
            stored = null;
        }

        var earlierModel = stored is null && !request.Retrain && request.EarlierModel is { } earlier
            && ModelParameters.FromJson(earlier.Json) is var parsed && Fits(parsed, earlier.Provenance, $"the model of snapshot {earlier.Snapshot}") ? parsed : null;
        var adopted = earlierModel is null ? ((ModelParameters, string)?)null : cache.StoreModel(earlierModel, request.SettingsSha256, provenance);
        var (model, modelSha) = stored is { } fitting ? (fitting.Model, fitting.Sha256) : adopted ?? Train(warehouse, match, run, inputs, cache, request, provenance, cancellationToken);
        // A model file refused for not matching its manifest, or models trained by a build with other comparisons, under
        // other level definitions or with other reference data, are said where the run trains instead (not under --retrain, which asks to train).
        var reasons = misfits.GroupBy(m => m.Why, StringComparer.Ordinal)
            .Select(g => $"not used: {string.Join(" and ", g.Select(m => m.Model))}, {g.Key}")
            .ToList();
        if (stored is null && adopted is null && !request.Retrain && request.EarlierModelRefused is { } why)
        {
            reasons.Add(why);
        }

        var refused = string.Concat(reasons.Select(r => "; " + r));
        var origin = stored is not null ? "stored, reused"
            : adopted is not null ? $"adopted from snapshot {request.EarlierModel!.Value.Snapshot}{refused}"
            : "trained on this run's whole input" + refused;
        Report(clock.Report(stored is null && adopted is null ? "training_run" : "model", () => (0, 1), () => stored is null && adopted is null
            ? $"trained on the whole input (model {modelSha[..12]}); every partition is scored with it{refused}"
            : $"model {modelSha[..12]} {origin} (--retrain trains a new one)"));

        // An LLM judge's prompt is a template a project may override (electionmatch/templates/), outside electionmatch.yml:
        // its answers, and so a partition's rows, change with it.
        var prompt = request.Options.Providers.PromptTemplate is { } template ? $"{template.Template} {template.Sha256}" : null;
        // The surnames' frequencies are counted over the whole input with the model (Train stored them) and kept with it.
        var counted = cache.FindSurnameFrequencies(modelSha, out var unusable);
        if (counted is null)
        {
            clock.Restart();
            CountSurnames(warehouse, match, run, inputs, cache, modelSha, request, cancellationToken);
            counted = cache.FindSurnameFrequencies(modelSha, out _);
            var surnames = counted?.Surnames ?? 0;
            Report(clock.Report("surname_frequencies", () => (0, surnames), () =>
                $"the results' surnames counted over the whole input, kept with model {modelSha[..12]}" + (unusable is null ? "" : $" ({unusable})")));
        }

        var (frequencies, frequenciesSha, _) = counted!.Value;
        var parts = new PartitionKeyParts(modelSha, request.SettingsSha256, request.Tool, prompt, StatePartitions.Sha256(StatePartitions.Columns(warehouse, inputs)), frequenciesSha);
        var keys = partitions.ToDictionary(p => p.State, p => parts.KeyOf(match.Name, p), StringComparer.Ordinal);
        var recomputed = new List<string>();
        // The schema that shows one cached partition's stages at a time (its key set on the connection), which explain reads.
        var shown = PartitionCache.Shown(match.Name);
        // A partition whose entry is gone (removed by hand, or a run that stopped before storing it) is recomputed, and so is
        // one whose cached rows were edited since they were written (they are not what its inputs give), and, in a live
        // run, one with rows the judge could not decide: a live run asks those again, as a plain run does.
        IReadOnlySet<string> altered = new HashSet<string>();
        if (!request.Full)
        {
            clock.Restart();
            altered = cache.Altered(keys.Values);
            Report(clock.Report("cached_rows", () => (cachedBefore.Count(e => keys.ContainsValue(e.CacheKey)), altered.Count), () =>
                $"the cached rows of this run's partitions hashed again: {(altered.Count == 0 ? "none" : altered.Count.ToString(CultureInfo.InvariantCulture))} changed since written"));
        }

        var changed = new List<string>();
        var asked = new List<string>();
        bool Cached(StatePartition p)
        {
            if (!cache.Has(p.State, keys[p.State]))
            {
                return false;
            }

            if (altered.Contains(keys[p.State]))
            {
                changed.Add(p.Label);
                return false;
            }

            if (!request.Options.Providers.Replay && cache.Read(p.State, keys[p.State]).Counts.Where(c => c.Key.EndsWith("judge_rows_undecided", StringComparison.Ordinal)).Sum(c => c.Value) > 0)
            {
                asked.Add(p.Label);
                return false;
            }

            return true;
        }

        var toCompute = partitions.Where(p => request.Full || !Cached(p)).ToList();
        var finished = false;
        try
        {
            if (toCompute.Count > 0)
            {
                clock.Restart();
                StatePartitions.CopyRows(warehouse, PartitionCache.Schema, match, inputs, toCompute);
                warehouse.Execute($"create schema {Sql.Identifier(reference.Name)}");
                CandidacyDdhqMatcher.LoadReference(warehouse, match, reference);
                Report(clock.Report("partition_rows", () => (toCompute.Sum(p => p.LeftRows), toCompute.Count), () => $"the input rows of the {toCompute.Count} partitions to recompute copied out of the inputs, and the reference data loaded for them"));
            }

            void Store(StatePartition partition, MatchResult result, RunSchema computedIn)
            {
                cache.Store(partition, keys[partition.State], parts, result, computedIn);
                recomputed.Add(partition.Label);
                Report(clock.Report("partition " + partition.Label, () => (partition.LeftRows, result.Counts["output_rows"]), () =>
                    "recomputed: " + Why(partition)));
            }

            // A partition matched as its own run.
            void RunAlone(StatePartition partition)
            {
                clock.Restart();
                var matcher = CandidacyDdhqMatcher.Create(warehouse, match, scratch, request.Options, model, frequencies, reference);
                Store(partition, matcher.RunPartition(PartitionInputs(inputs, partition), cancellationToken), scratch);
            }

            // The stateless partition first (partitions come in that order), on its own: right after the copy, whose read of
            // a CSV file is the reject store's latest scan that it quarantines; and it reads every results row.
            foreach (var partition in toCompute.Where(p => p.State == StatePartition.NoState || !request.Batched))
            {
                RunAlone(partition);
            }

            // The state partitions together, one run for all (PartitionBatch), then each one's counts and cache entry from
            // its share of that run's stages: a partition's own run cost some 0.7 CPU-s whatever its size.
            var stateful = toCompute.Where(p => p.State != StatePartition.NoState && request.Batched).ToList();
            foreach (var batch in StatePartitions.Batches(warehouse, PartitionCache.Schema, match, inputs, stateful, request.BatchInputRows))
            {
                if (batch.Count == 1)
                {
                    // A partition alone (over the batch cap, or sharing an id with every other) is matched as its own run:
                    // a slice would read its stages again through views, which cost 4.4 CPU-s for 30,853 candidacies.
                    RunAlone(batch[0]);
                    continue;
                }

                clock.Restart();

                var (batchInputs, together) = StatePartitions.BatchInputs(warehouse, PartitionCache.Schema, inputs, batch);
                CandidacyDdhqMatcher.Create(warehouse, match, scratch, request.Options, model, frequencies, reference, together).RunPartition(batchInputs, cancellationToken);
                // What a provider embedded for the batch, each partition's entry its own share: what its own run would have
                // counted, matched after the ones before it (a text two partitions hold is embedded once).
                var embedded = EmbeddingShares.Of(warehouse, scratch, [.. batch.Select(p => p.State)]);
                Report(clock.Report("partition_batch", () => (batch.Sum(p => p.LeftRows), batch.Count), () =>
                    $"{batch.Count} state partitions matched together in one run ({string.Join(", ", batch.Select(p => p.Label))})"));
                // Every partition's share of the batch shown at once; each one's counts and row accounts, every query
                // counting them all; then every partition's rows and entry stored at once.
                clock.Restart();
                new PartitionSlice(warehouse, scratch, together).ShowAll(sliceAll, keys);
                var scope = new CountScope(warehouse, sliceAll, PartitionSlice.StateColumn, batch.Select(p => p.State));
                foreach (var (state, shares) in embedded.Where(e => scope.Counts.ContainsKey(e.Key)))
                {
                    foreach (var (key, value) in shares)
                    {
                        scope.Counts[state][key] = value;
                    }
                }

                var results = CandidacyDdhqMatcher.Create(warehouse, match, sliceAll, request.Options, model, frequencies, reference).PartitionResults(scope, model);
                Report(clock.Report("partition_counts", () => (batch.Sum(p => p.LeftRows), batch.Count), () =>
                    $"the {batch.Count} state partitions' counts and row accounts, each query counting every one of them"));

                clock.Restart();
                cache.StoreBatch([.. batch.Select(p => new PartitionCache.Computed(p, keys[p.State], results[p.State]))], parts, sliceAll);
                var storeReport = clock.Report("partition_store", () => (batch.Sum(p => p.LeftRows), batch.Count), () =>
                    $"the {batch.Count} state partitions' rows, counts and explained stages stored in the cache in one transaction");
                DropSchemas(warehouse, sliceAll);
                // A partition is reported once it is stored, as one matched alone is; its time is its batch's (the steps above).
                Report(storeReport);
                foreach (var partition in batch)
                {
                    recomputed.Add(partition.Label);
                    Report(new StageReport("partition " + partition.Label, partition.LeftRows, results[partition.State].Counts["output_rows"], TimeSpan.Zero,
                        "recomputed: " + Why(partition)) { Cpu = TimeSpan.Zero });
                }
            }

            finished = true;
        }
        finally
        {
            try
            {
                StatePartitions.DropRows(warehouse, PartitionCache.Schema);
                DropSchemas(warehouse, slice, sliceAll, scratch, reference);
            }
            catch (DuckDB.NET.Data.DuckDBException) when (!finished)
            {
                // The failure that stopped the partitions is the one to report; the next run replaces the copies.
            }
        }

        clock.Restart();
        var reused = partitions.Count - recomputed.Count;
        var keyList = string.Join(", ", keys.Values.Select(Sql.Literal));
        var leftRowHashes = StatePartitions.RowHashesTable(PartitionCache.Schema, "left");
        // One transaction: explain reads the last assembled run until this one is whole.
        warehouse.InTransaction(() =>
        {
            warehouse.Execute($"""
                drop schema if exists {Sql.Identifier(run.Name)} cascade;
                create schema {Sql.Identifier(run.Name)};
                create table {run.Table("output")} as
                select * exclude (em_state, em_cache_key) from {cache.Output} where em_cache_key in ({keyList})
                order by {CandidacyDdhqMatcher.OrderBy};
                -- Every partition cleans the right rows it reads; the stateless partition reads them all, so its right quarantine is the whole one.
                create table {run.Table("quarantine")} as
                with
                    kept as (
                        select * exclude (em_cache_key) from {cache.Quarantine}
                        where em_cache_key in ({keyList}) and (input = 'left' or em_state = '')
                    ),
                    -- A partition numbers its left rows from 1 in input order, and its rejected lines after them: the n-th
                    -- row of a state's partition is the n-th of that state's rows in the input (the row hashes' numbers),
                    -- and a rejected line comes after every row read, as a plain run numbers them.
                    left_rows as (
                        select state, rn, row_number() over (partition by state order by rn) as place
                        from {leftRowHashes}
                        where state in (select em_state from kept where input = 'left')
                    ),
                    left_sizes as (select state, max(place) as rows from left_rows group by state)
                -- A repeated id's message names the row its id is used on, numbered in its partition too (EMQ002).
                select q.* exclude (em_state) replace (
                    case when q.input = 'left' then coalesce(r.rn, (select count(*) from {leftRowHashes}) + q.row_number - coalesce(z.rows, 0)) else q.row_number end as row_number,
                    case when d.rn is not null then regexp_replace(q.message, {Sql.Literal(RepeatedRowPattern)}, {Sql.Literal(RepeatedRowText)} || d.rn) else q.message end as message)
                from kept as q
                left join left_rows as r on q.input = 'left' and r.state = q.em_state and r.place = q.row_number
                left join left_sizes as z on q.input = 'left' and z.state = q.em_state
                left join left_rows as d on q.input = 'left' and q.error_code = {Sql.Literal(Matching.QuarantineCodes.DuplicateId)} and d.state = q.em_state
                    and d.place = try_cast(regexp_extract(q.message, {Sql.Literal(RepeatedRowPattern)}, 1) as bigint)
                order by input, row_number;
                """);
            // Each partition with the schema that shows it, whether this run reused it, and when it was computed.
            warehouse.Execute($"""
                create table {run.Table(PartitionsTable)} as
                select p.state, p.cache_key, p.run_schema, p.reused, c.computed_at_utc
                from (values {string.Join(", ", partitions.Select(p => $"({Sql.Literal(p.State)}, {Sql.Literal(keys[p.State])}, {Sql.Literal(shown.Name)}, {(recomputed.Contains(p.Label) ? "false" : "true")})"))})
                    as p(state, cache_key, run_schema, reused)
                join {PartitionCache.Schema.Table("partitions")} as c on c.match = {Sql.Literal(match.Name)} and c.state = p.state and c.cache_key = p.cache_key
                order by p.state
                """);
            // Every partition listed was scored with this run's model, so one set of scored views serves them all.
            var scoring = CandidacyDdhqMatcher.Create(warehouse, match, shown, request.Options, model, frequencies);
            cache.MakeShown(shown, pass => scoring.ScoredViewsSql(pass, model));
        });

        // What partitions of other keys left (older inputs, recomputes that stopped) goes now that this run is assembled.
        cache.Prune(keys.Values);

        var entries = partitions.Select(p => (p.State, Entry: cache.Read(p.State, keys[p.State]))).ToList();
        var counts = Counts(entries.Select(s => (s.State, s.Entry.Counts)));
        counts["state_partitions"] = partitions.Count;
        counts["state_partitions_reused"] = reused;
        counts["state_partitions_recomputed"] = recomputed.Count;
        Report(clock.Report("assemble", () => (partitions.Count, warehouse.Scalar<long>($"select count(*) from {run.Table("output")}")), () => $"{reused} partitions reused, {recomputed.Count} recomputed"));

        return new MatchResult(run.Table("output"), run.Table("quarantine"), CandidacyDdhqMatcher.OrderBy, stages, counts, model.ToJson())
        {
            Accounts = Accounts(entries.Select(s => (s.State, s.Entry.Accounts)), ElectionTypeAccount.Of(warehouse, new CandidacyDdhqCleaning(match, run), inputs)),
            InputSha256 = inputSha256,
            OutputInCanonicalOrder = true,
            Summary =
            [
                string.Create(CultureInfo.InvariantCulture, $"incremental: {partitions.Count} state partitions, {reused} reused, {recomputed.Count} recomputed{(recomputed.Count > 0 ? " (" + string.Join(", ", partitions.Select(p => p.Label).Where(recomputed.Contains)) + ")" : "")}{Dropped()}"),
                .. changed.Count > 0 ? [$"incremental: {CachedOutputChanged}, recomputed: {string.Join(", ", changed)}"] : Array.Empty<string>(),
                .. recomputed.Count == partitions.Count ? [$"incremental: every partition recomputed: {WhyEvery()}"] : Array.Empty<string>(),
                $"model: {modelSha[..12]} ({origin})",
            ],
        };

        // The states the last run cached that are not in the inputs now: their rows went with the prune.
        string Dropped()
        {
            var states = cachedBefore.Select(e => e.State).Where(s => !keys.ContainsKey(s)).Distinct().Order(StringComparer.Ordinal).ToList();
            return states.Count == 0 ? ""
                : string.Create(CultureInfo.InvariantCulture, $", {states.Count} dropped ({string.Join(", ", states.Take(DroppedNamed))}{(states.Count > DroppedNamed ? ", …" : "")})");
        }

        // Why nothing was reused: what the whole cache was keyed on that changed, or else each partition's own reason.
        string WhyEvery()
        {
            if (request.Full)
            {
                return "--full asks for it";
            }

            if (cache.Discarded is { } discarded)
            {
                return discarded;
            }

            if (cachedBefore.Count == 0)
            {
                return "nothing of this match was cached (its first incremental run, or the cache was dropped)";
            }

            var whole = cachedBefore.Select(e => e.Parts).Distinct().SelectMany(p => parts.ChangesSince(p, request.Retrain)).Distinct().ToList();
            if (whole.Count > 0)
            {
                return string.Join(", ", whole);
            }

            return "each for its own reason: " + string.Join(", ", partitions.Select(Why).GroupBy(r => r).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} ({g.Count()})")));
        }

        // Why one partition was recomputed, as its line says (and the summary, when no partition was reused).
        string Why(StatePartition p)
        {
            var cached = cachedBefore.Where(e => e.State == p.State).ToList();
            if (request.Full || cached.Count == 0 || changed.Contains(p.Label) || asked.Contains(p.Label))
            {
                return request.Full ? "--full asks for it"
                    : cached.Count == 0 ? (cachedBefore.Count == 0 ? "nothing of this match was cached" : "new state")
                    : changed.Contains(p.Label) ? CachedOutputChanged
                    : "rows the judge could not decide are asked again";
            }

            // Its rows, or what every partition's key holds besides them (the model, the settings, the tool, …).
            var reasons = cached.SelectMany(e => parts.ChangesSince(e.Parts, request.Retrain)).Distinct().ToList();
            if (cached.All(e => e.InputSha256 != p.InputSha256))
            {
                // Neither side's rows changed and the key's parts say what did (the inputs' columns): said once.
                if (InputChange(p, cached.Select(e => (e.LeftSha256, e.RightSha256))) is var change && (change != OtherInputChange || reasons.Count == 0))
                {
                    reasons.Insert(0, change);
                }
            }

            return reasons.Count > 0 ? string.Join(", ", reasons) : "cached stages gone";
        }
    }

    /// <summary>
    /// Which of a partition's inputs changed since its cached entries (<paramref name="cached"/>: each one's left and right
    /// rows' hashes) were computed: a side changed when no entry had its rows. Neither side changed, the hash of the whole
    /// changed through what it holds besides the rows (the inputs' columns, a CSV file's unreadable lines). An entry an
    /// older build stored, without the sides' hashes, tells nothing more than that the rows changed.
    /// </summary>
    internal static string InputChange(StatePartition partition, IEnumerable<(string? Left, string? Right)> cached)
    {
        var entries = cached.ToList();
        if (entries.Count == 0 || entries.Any(e => e.Left is null || e.Right is null))
        {
            return "input rows changed";
        }

        var left = entries.All(e => e.Left != partition.LeftSha256);
        var right = entries.All(e => e.Right != partition.RightSha256);
        return (left, right) switch
        {
            (true, true) => "candidacy and results rows changed",
            (true, false) => "candidacy rows changed",
            (false, true) => "results rows changed",
            _ => OtherInputChange,
        };
    }

    /// <summary>Why a partition whose rows are as cached has another input hash: what that hash holds besides the rows.</summary>
    internal const string OtherInputChange = "input columns or unreadable lines changed";

    // The row a repeated id is used on, in its message (QuarantineCodes.DuplicateIdDetailSql), and the words before it.
    private const string RepeatedRowText = ", as on left input row ";
    private const string RepeatedRowPattern = ", as on left input row ([0-9]+)";

    /// <summary>Why a partition whose key is cached was recomputed when its cached rows no longer hash as they were written.</summary>
    private const string CachedOutputChanged = "cached output changed since it was written";

    /// <summary>How many dropped states the summary names before "…".</summary>
    private const int DroppedNamed = 5;

    /// <summary>Drops the scratch schemas a run works in, if there: one statement.</summary>
    private static void DropSchemas(DuckDbWarehouse warehouse, params RunSchema[] schemas) =>
        warehouse.Execute(string.Concat(schemas.Select(s => $"drop schema if exists {Sql.Identifier(s.Name)} cascade;\n")));

    /// <summary>
    /// A partition's slice of the inputs. A CSV file's unreadable lines have no state, so only the stateless
    /// partition quarantines them (once, like the right input's quarantine, which that partition reads whole).
    /// </summary>
    private static MatchInputs PartitionInputs(MatchInputs inputs, StatePartition partition)
    {
        var stateless = partition.State == StatePartition.NoState;
        return new MatchInputs(
            inputs.Left with { Sql = partition.LeftRelation, Csv = stateless ? inputs.Left.Csv : null },
            inputs.Right with { Sql = partition.RightRelation, Csv = stateless ? inputs.Right.Csv : null });
    }

    /// <summary>
    /// Trains on the whole input in a schema of its own, dropped after: the run schema keeps the last assembled run, which
    /// <c>explain</c> reads, until this one is assembled.
    /// </summary>
    private static (ModelParameters, string) Train(DuckDbWarehouse warehouse, MatchSettings match, RunSchema run, MatchInputs inputs, PartitionCache cache, IncrementalRequest request, ModelProvenance provenance, CancellationToken cancellationToken)
    {
        var training = run.Part("training");
        try
        {
            // Up to the model only: every partition is then scored with it, so the whole input is not linked, judged or output.
            var trained = CandidacyDdhqMatcher.Create(warehouse, match, training, request.Options).Train(inputs, cancellationToken);
            var stored = cache.StoreModel(trained, request.SettingsSha256, provenance);
            cache.StoreSurnameFrequencies(stored.Sha256, training);
            return stored;
        }
        finally
        {
            DropSchemas(warehouse, training);
        }
    }

    /// <summary>
    /// Counts the results' surnames over the whole input for a model that has none stored with it (adopted from a
    /// snapshot, or stored by an older build): the inputs read, quarantined and cleaned in a schema of their own, dropped after.
    /// </summary>
    private static void CountSurnames(DuckDbWarehouse warehouse, MatchSettings match, RunSchema run, MatchInputs inputs, PartitionCache cache, string modelSha, IncrementalRequest request, CancellationToken cancellationToken)
    {
        var counting = run.Part("surnames");
        try
        {
            // Only the results' surnames are counted: the candidacies are read as an empty relation of their columns (a
            // run's cleaning reads both sides), which spared reading and cleaning them all, 2 of the 6 CPU-s this took at 100k.
            var noCandidacies = inputs.Left with { Sql = $"(select * from {inputs.LeftRelation} limit 0)", Csv = null };
            CandidacyDdhqMatcher.Create(warehouse, match, counting, request.Options).Clean(inputs with { Left = noCandidacies }, cancellationToken);
            cache.StoreSurnameFrequencies(modelSha, counting);
        }
        finally
        {
            DropSchemas(warehouse, counting);
        }
    }

    /// <summary>
    /// Counts summed over partitions; the right input's counts from the stateless partition, which reads it whole; a
    /// largest partition or block (of either pass) as a plain run reports it, the one with the most pairs, its left and
    /// right rows both from the state partition that holds it (the first of equals).
    /// </summary>
    /// <remarks>
    /// Each side used to be the maximum over partitions, the runoff pass's the sum: a partition of one state's left rows
    /// and another's results rows (595 × 15,823 where a plain run of the same inputs said 99 × 15,823).
    /// </remarks>
    private static Dictionary<string, long> Counts(IEnumerable<(string State, Dictionary<string, long> Counts)> partitions)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (state, partition) in partitions)
        {
            foreach (var (key, value) in partition)
            {
                if (key.StartsWith("right_", StringComparison.Ordinal))
                {
                    if (state == StatePartition.NoState)
                    {
                        counts[key] = value;
                    }
                }
                else if (!IsLargest(key))
                {
                    counts[key] = counts.GetValueOrDefault(key) + value;
                }
            }

            foreach (var left in partition.Keys.Where(k => IsLargest(k) && k.EndsWith("_left", StringComparison.Ordinal)))
            {
                var right = left[..^"left".Length] + "right";
                var (rows, members) = (partition[left], partition.GetValueOrDefault(right));
                if (!counts.ContainsKey(left) || rows * members > counts[left] * counts.GetValueOrDefault(right))
                {
                    counts[left] = rows;
                    counts[right] = members;
                }
            }
        }

        return counts;
    }

    // largest_partition_left, runoff_largest_block_right: one side of a pass's largest partition or retrieval block.
    private static bool IsLargest(string key) =>
        key.StartsWith("largest_", StringComparison.Ordinal) || key.StartsWith("runoff_largest_", StringComparison.Ordinal);

    /// <summary>
    /// Row accounts summed over partitions, outcome by outcome; the right input's from the stateless partition only.
    /// The results rows' account by election type judges a results row by the types the candidacies have, so a partition
    /// counts none (its own candidacies' types would judge it) and the run's, over the whole inputs
    /// (<paramref name="electionTypes"/>), takes its place.
    /// </summary>
    private static List<RowAccount> Accounts(IEnumerable<(string State, List<RowAccount> Accounts)> partitions, RowAccount electionTypes)
    {
        var sums = new List<(string Input, string Unit, long Read, List<RowOutcome> Outcomes)>();
        foreach (var (state, accounts) in partitions)
        {
            foreach (var account in accounts.Where(a => a.Input != "right" || state == StatePartition.NoState))
            {
                var index = sums.FindIndex(s => s.Input == account.Input && s.Unit == account.Unit);
                if (index < 0)
                {
                    sums.Add((account.Input, account.Unit, 0, []));
                    index = sums.Count - 1;
                }

                var sum = sums[index];
                foreach (var outcome in account.Outcomes)
                {
                    var o = sum.Outcomes.FindIndex(x => x.Outcome == outcome.Outcome && x.Reason == outcome.Reason);
                    if (o < 0)
                    {
                        sum.Outcomes.Add(outcome);
                    }
                    else
                    {
                        sum.Outcomes[o] = sum.Outcomes[o] with { Rows = sum.Outcomes[o].Rows + outcome.Rows };
                    }
                }

                sums[index] = sum with { Read = sum.Read + account.Read };
            }
        }

        var summed = sums.Select(s => new RowAccount(s.Input, s.Unit, s.Read, s.Outcomes)).ToList();
        summed.Insert(Math.Min(summed.Count, 2), electionTypes);
        return summed;
    }
}
