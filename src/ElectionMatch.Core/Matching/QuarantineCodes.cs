using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>Why an input row could not be used (docs/errors.md); every matcher's quarantine table uses these codes.</summary>
internal static class QuarantineCodes
{
    public const string EmptyId = "EMQ001";
    public const string DuplicateId = "EMQ002";
    public const string UnparsableName = "EMQ003";
    public const string InvalidDate = "EMQ004";
    public const string UnknownState = "EMQ005";
    public const string TextTooLong = "EMQ006";
    public const string ControlCharacter = "EMQ007";
    public const string InvalidUtf8 = "EMQ008";
    public const string RaggedRow = "EMQ009";
    public const string ValueDoesNotFitColumn = "EMQ010";
    public const string EmptyOfficeOrDistrict = "EMQ300";
    public const string RepeatedDistrict = "EMQ301";

    /// <summary>The <c>stage</c> of a quarantine row that is a whole input row: the run did not use it.</summary>
    public const string InputStage = "input";

    /// <summary>
    /// The <c>stage</c> of a quarantine row that is one value of a row the run used without it: a candidacy's election
    /// date that cannot be read while another of its elections can. The expansion into election rows
    /// (<c>left_expanded</c>) leaves that election out; the candidacy's other elections are matched.
    /// </summary>
    public const string ElectionRowsStage = "left_expanded";

    /// <summary>Whether a quarantine row is a whole input row (<see cref="InputStage"/>), over the table alias <paramref name="q"/> (with its dot, or empty).</summary>
    public static string WholeRowSql(string q = "") => $"{q}stage = {Sql.Literal(InputStage)}";

    /// <summary>
    /// The first checks of every input row, in order: unreadable CSV lines (their code is already set), control
    /// characters, over-long text. SQL <c>when</c> branches of a <c>case</c> over <see cref="TextChecks.ScreenedSql"/>,
    /// to put before the kind's own checks.
    /// </summary>
    public static string CommonChecksSql() => $"""
        when reject_code is not null then reject_code
                        when em_control is not null then {Sql.Literal(ControlCharacter)}
                        when em_too_long is not null then {Sql.Literal(TextTooLong)}
        """;

    /// <summary>
    /// A row's code, in the order every input is checked: the common checks, an empty id, a repeated id, then the kind's
    /// own checks of one row (<paramref name="rowCode"/>: SQL for their code, null when they pass). A row repeats its id
    /// when it comes after the id's first usable row (<paramref name="firstUsableRow"/>, the least <c>row_number</c> of the
    /// id's rows for which <see cref="UsableSql"/> holds): an earlier row quarantined for its own fault does not take
    /// the id away from a valid row after it, or neither would be used.
    /// </summary>
    public static string CodeSql(string id, string firstUsableRow, string rowCode) => $"""
        case
                        {CommonChecksSql()}
                        when nullif({IdText.Trimmed(id)}, '') is null then {Sql.Literal(EmptyId)}
                        when row_number > {firstUsableRow} then {Sql.Literal(DuplicateId)}
                        else {rowCode}
                    end
        """;

    /// <summary>Whether a row passes every check but the repeated id's (<see cref="CodeSql"/>): only such a row is its id's first.</summary>
    public static string UsableSql(string id, string rowCode) =>
        $"(reject_code is null and em_control is null and em_too_long is null and nullif({IdText.Trimmed(id)}, '') is not null and {rowCode} is null)";

    /// <summary>The detail of the common checks: the file and line of a rejected CSV line, or the offending columns.</summary>
    public static string CommonDetailSql(QuarantineSettings settings) =>
        $"coalesce(reject_detail, 'column ' || em_control, 'column ' || em_too_long || ' (the cap is {settings.MaxTextLength} characters)')";

    /// <summary>
    /// A failed field for a quarantine message: the input's column name and its value as read (<c>column
    /// general_election_date = '2024-13-45'</c>, <c>column district_type = empty</c>), or the role when the match maps none.
    /// </summary>
    public static string FieldSql(InputSettings input, string role, string value) =>
        $"{ColumnIsSql(input.Column(role) ?? role)} || coalesce(chr(39) || {value} || chr(39), 'empty')";

    /// <summary>
    /// A repeated id's detail (EMQ002): the id column and its value, and the row that has it and is used
    /// (<c>column l2_district_id = '1022', as on right input row 4</c>), numbered as the quarantine numbers rows.
    /// </summary>
    public static string DuplicateIdDetailSql(InputSettings input, string side, string id, string firstUsableRow) =>
        $"{ColumnIsSql(input.Id)} || chr(39) || {id} || chr(39) || {Sql.Literal($", as on {side} input row ")} || {firstUsableRow}";

    // The start of a detail that names a column and its value: 'column general_election_date = '.
    private static string ColumnIsSql(string column) => Sql.Literal($"column {column} = ");

    public static IReadOnlyDictionary<string, string> Messages { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [EmptyId] = "the id column is empty",
        [DuplicateId] = "the id appears on an earlier usable row; only the first usable row is used",
        [UnparsableName] = "the name has no Latin letter, or cannot be parsed into first and last name",
        [InvalidDate] = "a date is missing or is not a valid date",
        [UnknownState] = "the state is blank where it is required, or is neither a postal code nor a state name",
        [TextTooLong] = "a text value is longer than quarantine.max_text_length",
        [ControlCharacter] = "a text value holds a control character",
        [InvalidUtf8] = "the CSV line is not valid UTF-8",
        [RaggedRow] = "the CSV line has a different number of fields than the header (or an unterminated quote)",
        [ValueDoesNotFitColumn] = "a value on the CSV line does not fit the type its column is read as",
        [EmptyOfficeOrDistrict] = "the position name, or the district name or type, is empty",
        [RepeatedDistrict] = "the district's state and type, and its name's place words and numbers, repeat an earlier row's under another id; only the first is used",
    };

    /// <summary>
    /// An empty quarantine table's query, with the columns and types a run's has (<see cref="SelectSql"/> over no rows): what
    /// restore puts back for a snapshot that quarantined nothing.
    /// </summary>
    public static string EmptySql() => SelectSql(
        "(select cast(null as varchar) as input, cast(null as bigint) as row_number, cast(null as varchar) as error_code, cast(null as varchar) as detail, cast(null as json) as original where false)");

    /// <summary>The quarantine table's rows from a relation of <c>(input, row_number, error_code, detail, original)</c>.</summary>
    /// <param name="original">SQL for the original row's JSON, e.g. <c>to_json(original)</c> when the relation keeps it as a struct.</param>
    /// <param name="stage">SQL for the row's <c>stage</c>; by default every row is a whole input row (<see cref="InputStage"/>).</param>
    /// <remarks>The detail (which columns, which file and line) follows the code's message after a colon.</remarks>
    public static string SelectSql(string failed, string original = "original", string? stage = null) => $"""
        select
            input,
            {stage ?? Sql.Literal(InputStage)} as stage,
            row_number,
            error_code,
            case error_code
                {string.Join("\n        ", Messages.Select(m => $"when {Sql.Literal(m.Key)} then {Sql.Literal(m.Value)}"))}
            end || coalesce(': ' || detail, '') as message,
            {original} as original
        from {failed}
        order by input, row_number, stage, message
        """;
}
