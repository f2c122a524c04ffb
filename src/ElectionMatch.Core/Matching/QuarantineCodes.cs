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
    public const string EmptyOfficeOrDistrict = "EMQ300";

    public static IReadOnlyDictionary<string, string> Messages { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [EmptyId] = "the id column is empty",
        [DuplicateId] = "the id appears on an earlier row; only the first is used",
        [UnparsableName] = "the name cannot be parsed into first and last name",
        [InvalidDate] = "a date is missing or is not a valid date",
        [UnknownState] = "the state is neither a postal code nor a state name",
        [EmptyOfficeOrDistrict] = "the position name, or the district name or type, is empty",
    };

    /// <summary>The quarantine table's rows from a relation of <c>(input, row_number, error_code, original)</c>.</summary>
    /// <param name="original">SQL for the original row's JSON, e.g. <c>to_json(original)</c> when the relation keeps it as a struct.</param>
    public static string SelectSql(string failed, string original = "original") => $"""
        select
            input,
            'input' as stage,
            row_number,
            error_code,
            case error_code
                {string.Join("\n        ", Messages.Select(m => $"when {Sql.Literal(m.Key)} then {Sql.Literal(m.Value)}"))}
            end as message,
            {original} as original
        from {failed}
        order by input, row_number
        """;
}
