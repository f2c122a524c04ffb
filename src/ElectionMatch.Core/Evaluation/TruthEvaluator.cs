using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Matching;
using ElectionMatch.Warehouse;
using static ElectionMatch.Warehouse.QueryValues;

namespace ElectionMatch.Evaluation;

/// <summary>
/// Scores a published snapshot against a truth CSV of true pairs: the columns its header names as the snapshot's left
/// and right id columns (<c>gp_candidacy_id</c>, <c>ddhq_candidate_id</c>), wherever they are, or else the first column
/// as the left id and the last as the right id; the match kind's <see cref="EvaluationColumns"/> say which snapshot
/// columns hold them. A header naming one of those columns and not the other is refused (<see cref="TruthLayout.MissingIdColumn"/>).
/// </summary>
public static class TruthEvaluator
{
    /// <summary>
    /// The truth file as the temp table <c>em_truth(left_id, right_id, detail, lines)</c>, the ids varchar, <c>lines</c> the
    /// file's lines holding the pair (a repeated line is one pair); a ragged line or a blank id
    /// is named with its line (<see cref="TruthFileLines"/>), a file DuckDB cannot read (not UTF-8) with DuckDB's line.
    /// </summary>
    /// <param name="columns">
    /// The match's columns: a header naming both its <see cref="EvaluationColumns.LeftId"/> and <see cref="EvaluationColumns.RightId"/>
    /// has its ids read from those columns wherever they are (other columns ignored), and its
    /// <see cref="EvaluationColumns.TruthDetailColumn"/> kept as <c>detail</c>; a header naming neither (or when null) has the
    /// first column as the left id and the last as the right id, and one naming only one of them is EM0024 at its line 1.
    /// </param>
    /// <returns>Where the file keeps its ids.</returns>
    internal static TruthLayout LoadTruth(DuckDbWarehouse warehouse, string truthPath, EvaluationColumns? columns = null)
    {
        if (Directory.Exists(truthPath))
        {
            throw DiagnosticException.At(Codes.FileMissing, SourceSpan.PathOnly(DisplayPath.For(truthPath)), "the truth file is a directory, not a CSV file of true pairs");
        }

        if (!File.Exists(truthPath))
        {
            throw DiagnosticException.At(Codes.FileMissing, SourceSpan.PathOnly(DisplayPath.For(truthPath)), "truth file not found");
        }

        var layout = TruthFileLines.Check(truthPath, columns?.LeftId, columns?.RightId);
        var at = new SourceSpan(DisplayPath.For(truthPath), 1, 1);
        // The dialect TruthFileLines checked the lines in, not the sniffer's: a sniffer misled by one bad line read another file.
        var read = $"read_csv({Sql.Literal(truthPath)}, header = true, all_varchar = true, delim = {Sql.Literal(layout.Delimiter.ToString())}, quote = '\"', escape = '\"')";
        try
        {
            var truthColumns = warehouse.Describe($"select * from {read}");
            if (truthColumns.Count < 2)
            {
                throw DiagnosticException.At(Codes.InputUnreadable, at, TruthFileLines.TwoColumns(columns?.LeftId, columns?.RightId));
            }

            // By place, not by DuckDB's names: it renames a repeated or blank header name. Should DuckDB see other
            // columns than the header check did, the documented first and last.
            if (truthColumns.Count != layout.Header.Count)
            {
                layout = layout with { Left = 0, Right = truthColumns.Count - 1, ByName = false };
            }

            var left = Sql.Identifier(truthColumns[layout.Left].Name);
            var right = Sql.Identifier(truthColumns[layout.Right].Name);
            var detail = truthColumns.Where((c, i) => i != layout.Left && i != layout.Right).FirstOrDefault(c => c.Name.Equals(columns?.TruthDetailColumn, StringComparison.OrdinalIgnoreCase)) is { } d
                ? Sql.Identifier(d.Name)
                : "cast(null as varchar)";
            warehouse.Execute($"""
                create or replace temp table em_truth as
                select {IdText.Of(left)} as left_id, {IdText.Of(right)} as right_id, min({detail}) as detail, count(*) as lines
                from {read}
                group by all
                """);
            return layout;
        }
        catch (DuckDB.NET.Data.DuckDBException e)
        {
            // DuckDB's CSV errors say "CSV Error on Line: N"; point there.
            var line = System.Text.RegularExpressions.Regex.Match(e.Message, @"on Line: (\d+)") is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 1;
            throw DiagnosticException.At(Codes.InputUnreadable, at with { Line = line }, $"cannot read the truth file: {e.Message.Split('\n')[0].Trim()}");
        }
    }

    /// <summary>Scores a snapshot published in the warehouse (as bench does).</summary>
    public static EvaluationResult Evaluate(DuckDbWarehouse warehouse, string schema, string table, string truthPath, EvaluationColumns columns, bool partial = false, bool requireFit = true) =>
        Evaluate(warehouse, EvaluatedSnapshot.Published(schema, Snapshots.SnapshotName.TryParse(table) ?? throw new ArgumentException($"'{table}' is not a dated snapshot name", nameof(table))), truthPath, columns, partial, requireFit);

    /// <param name="snapshot">The snapshot and where it is read from (its table or its file).</param>
    /// <param name="partial">
    /// Truth is known only for some rows (as in real_fec): precision counts only links whose correctness is known, a link
    /// being certainly wrong when a truth left row links elsewhere or another left row takes a truth right row. Recall is
    /// over the truth pairs either way.
    /// </param>
    /// <param name="requireFit">
    /// A truth file with no pair, or none naming a left id of the snapshot (another match's, another extract's), is
    /// an error rather than scores of zero; complete and partial truth alike, as neither can score such a file.
    /// </param>
    /// <param name="inputs">The match's inputs: to look right ids up by name, and left ids up in quarantine; null without.</param>
    /// <param name="hardest">How many closest calls to list (<c>--hardest</c>); none by default.</param>
    public static EvaluationResult Evaluate(DuckDbWarehouse warehouse, EvaluatedSnapshot snapshot, string truthPath, EvaluationColumns columns, bool partial = false, bool requireFit = true, EvaluatedInputs? inputs = null, int hardest = 0)
    {
        var layout = LoadTruth(warehouse, truthPath, columns);
        var present = warehouse.Describe("select * from " + snapshot.Relation).Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        // A snapshot loaded by hand (spec 000's files) lacks what only our runs write: each such column reads as null.
        var absent = new List<string>();
        string Optional(string sql, string name)
        {
            try
            {
                warehouse.Describe($"select {sql} from {snapshot.Relation} as s");
                return sql;
            }
            catch (DuckDB.NET.Data.DuckDBException)
            {
                absent.Add(name);
                return "null";
            }
        }

        var (rightId, lookupJoin, lookupNote) = RightId(snapshot, columns, present, inputs);
        warehouse.Execute($"""
            create or replace temp table em_predicted as
            select
                {IdText.Of(Sql.Identifier(columns.LeftId))} as left_id,
                {rightId} as right_id,
                cast({Sql.Identifier(columns.Matched)} as boolean) as has_match,
                cast({Optional("decided_by", "decided_by")} as varchar) as decided_by,
                cast({Optional(Sql.Identifier(columns.Reasoning), columns.Reasoning)} as varchar) as llm_reasoning,
                cast({Optional("match_explanation", "match_explanation")} as varchar) as match_explanation,
                cast({Optional("match_probability", "match_probability")} as double) as match_probability,
                cast({Optional(columns.BestMatchSql, "the shown match")} as varchar) as llm_best_match,
                cast({Optional(columns.LeftNameSql, "the left name")} as varchar) as left_name,
                cast({Optional(columns.DetailSql, "the detail")} as varchar) as detail,
                cast({(columns.RowDateSql is { } date ? Optional(date, "the row's date") : "null")} as varchar) as row_date
            from {snapshot.Relation} as s
            {lookupJoin};
            """);

        var truth = warehouse.Scalar<long>("select count(*) from em_truth");
        if (requireFit)
        {
            EnsureFit(warehouse, snapshot.Display, truthPath, layout, columns, truth);
        }

        // Partial truth knows a link's correctness when it names the link's left id or its right id.
        var knownLink = partial
            ? "(p.left_id in (select left_id from em_truth) or p.right_id in (select right_id from em_truth))"
            : "true";
        var predicted = warehouse.Scalar<long>($"select count(*) from em_predicted p where p.has_match and {knownLink}");
        var correct = warehouse.Scalar<long>("select count(*) from em_predicted p semi join em_truth t using (left_id, right_id) where p.has_match");
        var judged = warehouse.Scalar<long>("select count(*) from em_predicted where decided_by = 'judge'");
        var rows = warehouse.Scalar<long>("select count(*) from em_predicted");
        var judgedUnlinked = warehouse.Scalar<long>("select count(*) from em_predicted where decided_by = 'judge' and not has_match");
        var undecided = warehouse.Scalar<long>($"select count(*) from em_predicted where decided_by = 'judge' and {Matching.Judging.JudgeAnswer.IsUndecidedSql("llm_reasoning")}");

        // A miss is told by its own row when the truth names it (a candidacy's election type): the left id's other rows,
        // linked or not, are other decisions, and so is a row of that type holding another true pair of the left id (a
        // candidacy's listed runoff, when the miss is a runoff it does not list). Without it, every row of the left id, in a fixed order.
        const string OwnRow = """
            p.left_id = t.left_id
                and (t.detail is null
                    or (p.detail = t.detail and not (p.has_match and exists (select 1 from em_truth y where y.left_id = p.left_id and y.right_id = p.right_id))))
            """;
        // Each missed truth pair once, with the row it is told by and counted under: of the truth's election type (any
        // row of the left id without one), one not linked to another true pair first, then one left unlinked.
        var known = KnownSql(warehouse, truth > correct ? inputs : null);
        RejectedLineIds.Load(warehouse, truth > correct ? snapshot.QuarantineTable : null, inputs);
        warehouse.Execute($"""
            create or replace temp table em_missed as
            select
                t.*,
                (select arg_min(struct_pack(tier := p.decided_by, label := {RowLabelSql("p")}),
                        row(p.has_match and exists (select 1 from em_truth y where y.left_id = p.left_id and y.right_id = p.right_id), p.has_match, p.row_date, p.right_id))
                 from em_predicted p
                 where p.left_id = t.left_id and (t.detail is null or p.detail = t.detail)) as own,
                {known.Left} as left_known,
                {known.Right} as right_known
            from em_truth t
            where not exists (select 1 from em_predicted p where p.left_id = t.left_id and p.right_id = t.right_id and p.has_match)
            """);
        var misses = warehouse.Query(
            $"""
            select
                t.left_id,
                t.right_id,
                (select string_agg(p.right_id, ', ' order by p.detail, p.right_id) from em_predicted p where {OwnRow} and p.has_match),
                (select string_agg(p.llm_reasoning, ' / ' order by p.detail) from em_predicted p where {OwnRow}),
                (select string_agg(cast(p.match_explanation as varchar), ' / ' order by p.detail) from em_predicted p where {OwnRow}),
                {QuarantinedSql(snapshot, inputs, "t.left_id", wholeRow: true)},
                exists (select 1 from em_predicted p where {OwnRow}),
                -- A row of the truth's election type linked to another pair the truth names for it: the truth file
                -- gives that row two right ids, and the row is not "missing" (before, the miss said so).
                (select string_agg(p.right_id, ', ' order by p.right_id) from em_predicted p
                 where p.left_id = t.left_id and p.detail = t.detail and p.has_match
                     and exists (select 1 from em_truth y where y.left_id = p.left_id and y.right_id = p.right_id)),
                t.detail,
                {QuarantinedSql(snapshot, inputs, "t.left_id", wholeRow: false)},
                -- The row named on the line: its own, or the truth's election type when it has none; none when the
                -- truth does not say which of the left id's rows it is.
                case
                    when t.own is null then t.detail
                    when t.detail is not null or (select count(*) from em_predicted p where p.left_id = t.left_id) = 1 then t.own.label
                end,
                exists (select 1 from em_predicted p where p.left_id = t.left_id),
                t.left_known,
                t.right_known,
                {RightQuarantinedSql(snapshot, inputs, "t.right_id")},
                exists (select 1 from {RejectedLineIds.Table} x where x.input = 'left' and x.id = t.left_id),
                exists (select 1 from {RejectedLineIds.Table} x where x.input = 'right' and x.id = t.right_id)
            from em_missed t
            order by t.left_id, t.right_id
            """,
            r => Read(r) with
            {
                Quarantined = Text(r, 5), HasRow = r.GetBoolean(6), RowLinkedToOtherTruth = Text(r, 7), Detail = Text(r, 8), QuarantinedAlone = Text(r, 9),
                Row = Text(r, 10), HasLeftRow = r.GetBoolean(11), LeftInInput = r.IsDBNull(12) ? null : r.GetBoolean(12), RightInInput = r.IsDBNull(13) ? null : r.GetBoolean(13),
                RightQuarantined = Text(r, 14), LeftLineRejected = r.GetBoolean(15), RightLineRejected = r.GetBoolean(16),
            });
        var falseMatches = warehouse.Query(
            $"""
            select
                p.left_id, t.right_id, p.right_id, p.llm_reasoning, cast(p.match_explanation as varchar),
                {RowLabelSql("p")},
                -- What the truth says of the row: its right ids, and the left ids it gives the linked right id.
                (select string_agg(y.right_id, ', ' order by y.right_id) from em_truth y
                 where y.left_id = p.left_id and (y.detail is null or p.detail is null or y.detail = p.detail)),
                (select string_agg(y.left_id, ', ' order by y.left_id) from em_truth y where y.right_id = p.right_id)
            from em_predicted p
            left join em_truth t on t.left_id = p.left_id and t.right_id = p.right_id
            where p.has_match and t.left_id is null
                and {knownLink}
            order by p.left_id, p.right_id
            """,
            r => Read(r) with { Row = Text(r, 5), TruthRightIds = Text(r, 6), TruthLeftIdsOfLinked = Text(r, 7) });
        // Partial truth decides a row left unlinked only when it names the row's left id: its pairs are then all of them.
        var knownUnlinked = partial ? "p.left_id in (select left_id from em_truth)" : "true";
        var hasTiers = !absent.Contains("decided_by");
        var tiers = !hasTiers ? [] : warehouse.Query(
            $"""
            with missed as (
                select own.tier as tier, count(*) as pairs
                from em_missed
                group by all
            )
            select
                p.decided_by,
                count(*) as rows,
                count(*) filter (where p.has_match and {knownLink}) as links,
                count(*) filter (where p.has_match and t.left_id is not null) as correct,
                coalesce(any_value(m.pairs), 0) as missed
            from em_predicted p
            left join em_truth t on t.left_id = p.left_id and t.right_id = p.right_id
            left join missed m on m.tier = p.decided_by
            group by p.decided_by
            order by p.decided_by
            """,
            r => new TierResult(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4)));
        // The closest calls: rows the judge saw, then links with the lowest and rejections with the highest probability.
        // Only as many as are listed: every row, read into memory with its reasoning, outgrew memory_limit at scale.
        var hardCases = hardest == 0 ? [] : warehouse.Query(
            $"""
            select
                p.left_id, {RowLabelSql("p")}, p.left_name, p.llm_best_match, p.decided_by, p.has_match, coalesce(p.match_probability, 0),
                case
                    when t.left_id is not null then 'right'
                    -- Partial truth: a row it does not decide, by the rule the precision line counts links by, is unknown.
                    when p.has_match and not {knownLink} then 'unknown'
                    when p.has_match then 'wrong'
                    when not ({knownUnlinked}) then 'unknown'
                    when exists (
                        select 1 from em_truth x
                        where x.left_id = p.left_id
                            and not exists (select 1 from em_predicted q where q.left_id = x.left_id and q.right_id = x.right_id and q.has_match)) then 'missed'
                    else 'right'
                end as verdict,
                p.llm_reasoning
            from em_predicted p
            left join em_truth t on t.left_id = p.left_id and t.right_id = p.right_id
            where p.match_probability is not null
            order by
                p.decided_by = 'judge' desc,
                abs(ln(greatest(p.match_probability, 1e-12) / greatest(1 - p.match_probability, 1e-12))),
                p.left_id, p.detail
            limit {hardest}
            """,
            r => new HardCase(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? "" : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4), r.GetBoolean(5), r.GetDouble(6), r.GetString(7), r.IsDBNull(8) ? "" : r.GetString(8)));
        // A left row whose id is blank, an earlier row's or unreadable may be the true row of a left id no row has; a line
        // the CSV reader rejected whose id field was read (RejectedLineIds) is another id's row, and is not counted. Rows
        // quarantined for a blank id are named with their places, as the right side's are.
        var unidentified = snapshot.QuarantineTable is { } quarantine && inputs is not null
            ? warehouse.Scalar<string>($"""
                select string_agg(case when error_code = {Sql.Literal(Matching.QuarantineCodes.EmptyId)} then error_code || ' x' || ({BlankIdQuarantineSql(quarantine, "left")}) else error_code || ' x' || n end, ', ' order by error_code)
                from (
                    select error_code, count(*) as n
                    from {quarantine} as q
                    where input = 'left' and error_code in ({string.Join(", ", UnidentifyingCodes.Select(Sql.Literal))})
                        and not exists (select 1 from {RejectedLineIds.Table} x where x.input = q.input and x.row_number = q.row_number)
                    group by error_code
                )
                """)
            : null;
        // A results row whose id is blank may be the true row of a right id no row has.
        var blankRight = snapshot.QuarantineTable is { } q2 && inputs is not null && misses.Any(m => m.RightInInput == false && m.RightQuarantined is null)
            ? warehouse.Scalar<string>(BlankIdQuarantineSql(q2, "right"))
            : null;
        return new EvaluationResult(truth, predicted, correct, judged, rows, misses, falseMatches)
        {
            Tiers = tiers,
            Hardest = hardCases,
            JudgedUnlinked = judgedUnlinked,
            JudgedUndecided = undecided,
            AbsentColumns = absent,
            RightIdLookup = lookupNote is null ? null : lookupNote + $": {warehouse.Scalar<long>("select count(*) from em_predicted where has_match and right_id is null")} links name none of its rows (counted wrong)",
            HasQuarantine = snapshot.QuarantineTable is not null,
            UnidentifiedQuarantine = unidentified,
            BlankRightIdQuarantine = blankRight,
            TruthLines = warehouse.Scalar<long>("select cast(coalesce(sum(lines), 0) as bigint) from em_truth"),
            UntieredMisses = hasTiers ? warehouse.Scalar<long>("select count(*) from em_missed where own is null") : 0,
            InputsUnread = known.Unread,
            Warnings = IdsNotInInputs(truthPath, layout, columns, inputs, misses),
        };
    }

    /// <summary>
    /// SQL telling whether a missed pair's left id (<c>t.left_id</c>) is in the left input and its right id in the right
    /// input, as they are now; null for both, and why, when the inputs cannot be read (rotated away, or not on this machine).
    /// </summary>
    private static (string Left, string Right, string? Unread) KnownSql(DuckDbWarehouse warehouse, EvaluatedInputs? inputs)
    {
        const string NotChecked = "cast(null as boolean)";
        if (inputs is null)
        {
            return (NotChecked, NotChecked, null);
        }

        string In(string id, string relation, string column)
        {
            var ids = $"select {IdText.Of("i." + Sql.Identifier(column))} from {relation} as i";
            warehouse.Describe(ids);
            return $"coalesce({id} in ({ids}), false)";
        }

        try
        {
            return (In("t.left_id", inputs.LeftRelation.Value, inputs.Left.Id), In("t.right_id", inputs.RightRelation.Value, inputs.Right.Id), null);
        }
        catch (DiagnosticException e)
        {
            return (NotChecked, NotChecked, e.Diagnostics.Count > 0 ? e.Diagnostics[0].Message : e.Message);
        }
        catch (DuckDB.NET.Data.DuckDBException e)
        {
            return (NotChecked, NotChecked, e.Message.Split('\n')[0].Trim());
        }
    }

    /// <summary>
    /// EM0121 when missed pairs name a left id with no row that is in neither the left input nor its quarantine, or a right id
    /// not in the right input: a mistyped truth file, or one of another extract, would otherwise read as ordinary misses.
    /// </summary>
    private static IReadOnlyList<Diagnostic> IdsNotInInputs(string truthPath, TruthLayout layout, EvaluationColumns columns, EvaluatedInputs? inputs, IReadOnlyList<PairError> misses)
    {
        var left = misses.Where(m => m.IsLeftIdUnknown).ToList();
        // A right id whose row the run quarantined (a line the CSV reader rejected) is in the input, not mistyped.
        var right = misses.Where(m => m.RightInInput == false && m.RightQuarantined is null).ToList();
        if (inputs is null || (left.Count == 0 && right.Count == 0))
        {
            return [];
        }

        var leftIds = left.Select(m => m.LeftId).ToHashSet(StringComparer.Ordinal);
        var rightIds = right.Select(m => m.RightId ?? "").ToHashSet(StringComparer.Ordinal);
        var lines = TruthFileLines.FirstLines(truthPath, layout, leftIds, rightIds);
        string Part(int count, string idColumn, string side, string relation, string? example, int? line) =>
            $"{count} {(count == 1 ? "truth pair names" : "truth pairs name")} a {idColumn} that is not in the {side} input ({relation})"
            + (example is null ? "" : $", such as '{example}'" + (line is { } l ? $" at line {l}" : ""));
        var parts = new List<string>();
        if (left.Count > 0)
        {
            parts.Add(Part(left.Count, columns.LeftId, "left", inputs.Left.Relation, lines.Left?.Id ?? left[0].LeftId, lines.Left?.Line));
        }

        if (right.Count > 0)
        {
            // A header without the right id column had its last column taken as the id, whatever it holds: say which, as a
            // district truth file in spec 000's columns (state, l2_district_type, l2_district_name) reads the name as one.
            var taken = layout.ByName || layout.Header[layout.Right].Trim().Equals(columns.RightId, StringComparison.OrdinalIgnoreCase) ? ""
                : $" (its header has no {columns.RightId} column, so its last column '{layout.Header[layout.Right].Trim()}' was read as the right id; give the file {columns.LeftId} and {columns.RightId} columns)";
            parts.Add(Part(right.Count, columns.RightId, "right", inputs.Right.Relation, lines.Right?.Id ?? right[0].RightId, lines.Right?.Line) + taken);
        }

        var first = new[] { lines.Left?.Line, lines.Right?.Line }.Where(l => l is not null).Min() ?? 1;
        return [Diagnostic.Warning(
            Codes.TruthIdNotInInput,
            new SourceSpan(DisplayPath.For(truthPath), first, 1),
            $"{string.Join("; ", parts)}: they are missed, and their miss lines say so; is the truth file mistyped, or made from another extract than the inputs?")];
    }

    /// <summary>
    /// SQL: how many rows of <paramref name="side"/> the quarantine holds for a blank id (EMQ001), with the first few by
    /// their messages (which name the file and line) and input rows: <c>1 (EMQ001 the id column is empty (… line 166),
    /// right input row 165)</c>; no row when none. What a miss whose id no row has says of either side.
    /// </summary>
    private static string BlankIdQuarantineSql(string quarantine, string side) => $"""
        select count(*) || ' (' || string_agg(case when em_rank <= 5 then error_code || ' ' || message || ', {side} input row ' || row_number end, '; ' order by row_number)
            || case when count(*) > 5 then '; and ' || (count(*) - 5) || ' more' else '' end || ')'
        from (select *, row_number() over (order by row_number) as em_rank from {quarantine} where input = {Sql.Literal(side)} and error_code = {Sql.Literal(Matching.QuarantineCodes.EmptyId)})
        having count(*) > 0
        """;

    // Quarantine codes of a left row whose id cannot be read as the position's own: blank, an earlier row's, an unreadable line.
    private static readonly string[] UnidentifyingCodes =
    [
        Matching.QuarantineCodes.EmptyId, Matching.QuarantineCodes.DuplicateId, Matching.QuarantineCodes.InvalidUtf8, Matching.QuarantineCodes.RaggedRow,
    ];

    /// <summary>
    /// SQL for what the snapshot's quarantine holds of a left id (its codes, messages and input rows), or null: its whole
    /// rows (<paramref name="wholeRow"/>), which the run did not use, or the values of its used rows quarantined alone (a
    /// candidacy's election date that cannot be read, whose other elections were matched).
    /// </summary>
    private static string QuarantinedSql(EvaluatedSnapshot snapshot, EvaluatedInputs? inputs, string leftId, bool wholeRow) =>
        snapshot.QuarantineTable is { } quarantine && inputs is not null
            ? $"""
              (select string_agg(q.error_code || ' ' || q.message || ', left input row ' || q.row_number, '; ' order by q.row_number, q.message)
               from {quarantine} as q
               where q.input = 'left' and {(wholeRow ? "" : "not ")}{Matching.QuarantineCodes.WholeRowSql("q.")}
                   and ({IdText.Of($"json_extract_string(q.original, {Sql.Literal("$.\"" + inputs.LeftIdColumn.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"")})")} = {leftId}
                       or exists (select 1 from {RejectedLineIds.Table} x where x.input = q.input and x.row_number = q.row_number and x.id = {leftId})))
              """
            : "cast(null as varchar)";

    /// <summary>
    /// SQL for what the snapshot's quarantine holds of a right id (codes, messages with file and line, input rows), or null:
    /// a true results row quarantined was never a candidate, which the miss must say rather than the best candidate it had.
    /// Found by the id in the row's original JSON, or for a line the CSV reader rejected (its raw text only) by its id field (<see cref="RejectedLineIds"/>).
    /// </summary>
    private static string RightQuarantinedSql(EvaluatedSnapshot snapshot, EvaluatedInputs? inputs, string rightId) =>
        snapshot.QuarantineTable is { } quarantine && inputs is not null
            ? $"""
              (select string_agg(q.error_code || ' ' || q.message || ', right input row ' || q.row_number, '; ' order by q.row_number, q.message)
               from {quarantine} as q
               where q.input = 'right'
                   and ({IdText.Of($"json_extract_string(q.original, {Sql.Literal("$.\"" + inputs.Right.Id.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"")})")} = {rightId}
                       or exists (select 1 from {RejectedLineIds.Table} x where x.input = q.input and x.row_number = q.row_number and x.id = {rightId})))
              """
            : "cast(null as varchar)";

    /// <summary>
    /// The right id: the snapshot's column, or (a hand-uploaded file that names the right row instead) the id of the right
    /// input's row with the same key columns, joined in; with a note saying how it was found.
    /// </summary>
    private static (string Sql, string Join, string? Note) RightId(EvaluatedSnapshot snapshot, EvaluationColumns columns, HashSet<string> present, EvaluatedInputs? inputs)
    {
        if (present.Contains(columns.RightId) || columns.RightIdLookup.Count == 0 || inputs is null)
        {
            return (IdText.Of(Sql.Identifier(columns.RightId)), "", null);
        }

        static string Key(string sql) => $"upper(trim(cast({sql} as varchar)))";
        var keys = columns.RightIdLookup.Select((k, i) => (k, i, Column: inputs.Right.Column(k.RightRole) ?? k.RightRole)).ToList();
        var join = $"""
            left join (
                select {string.Join(", ", keys.Select(k => $"{Key("r." + Sql.Identifier(k.Column))} as em_key_{k.i}"))}, min({IdText.Of("r." + Sql.Identifier(inputs.Right.Id))}) as em_looked_up_id
                from {inputs.RightRelation.Value} as r
                group by all
            ) as em_right on {string.Join(" and ", keys.Select(k => $"em_right.em_key_{k.i} = {Key("s." + Sql.Identifier(k.k.SnapshotColumn))}"))}
            """;
        var note = $"{snapshot.Name.Table} has no {columns.RightId}: looked up by {string.Join(", ", keys.Select(k => k.k.SnapshotColumn))} in the right input ({inputs.Right.Relation}, its {string.Join(", ", keys.Select(k => k.Column))})";
        return ("em_right.em_looked_up_id", join, note);
    }

    private static void EnsureFit(DuckDbWarehouse warehouse, string snapshot, string truthPath, TruthLayout layout, EvaluationColumns columns, long truthPairs)
    {
        var at = new SourceSpan(DisplayPath.For(truthPath), 1, 1);
        if (truthPairs == 0)
        {
            throw DiagnosticException.At(Codes.TruthDoesNotFitSnapshot, at, $"the truth file has a header and no pairs, so there is nothing to score {snapshot} against; it needs one line per true pair, with its {columns.LeftId} and {columns.RightId} (or the left id first and the right id last)");
        }

        if (warehouse.Scalar<long>("select count(*) from em_truth where left_id in (select left_id from em_predicted)") > 0)
        {
            return;
        }

        var truthSample = warehouse.Scalar<string>("select min(left_id) from em_truth");
        var snapshotSample = warehouse.Scalar<string>("select min(left_id) from em_predicted");
        throw DiagnosticException.At(
            Codes.TruthDoesNotFitSnapshot,
            at,
            $"no truth pair names a left id of snapshot {snapshot}: the truth file's {layout.LeftColumnDescription} holds ids such as '{truthSample}', the snapshot's {columns.LeftId} ids such as '{snapshotSample ?? "(none: it has no rows)"}'; is it another match's truth file?");
    }

    private static PairError Read(System.Data.Common.DbDataReader r) =>
        new(r.GetString(0), Text(r, 1), Text(r, 2), Text(r, 3), Text(r, 4));

    /// <summary>
    /// How every line names a row of a left id (a miss's, a false link's, a hard case's), over the <c>em_predicted</c> alias
    /// <paramref name="p"/>: what tells the left id's rows apart and the row's date (a candidacy's <c>general 2024-11-05</c>), or
    /// what places it (a district's state).
    /// </summary>
    private static string RowLabelSql(string p) => $"concat_ws(' ', {p}.detail, {p}.row_date)";
}
