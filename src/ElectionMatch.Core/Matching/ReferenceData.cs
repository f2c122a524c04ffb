using System.Reflection;
using DuckDB.NET.Data;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>Reference tables shipped inside the library (see Reference/README.md for sources and licences).</summary>
internal static class ReferenceData
{
    /// <summary>Loads first_name_sex.csv as <c>(first_name, male_share)</c>, the share of births with that name that were boys.</summary>
    public static void LoadFirstNameSex(DuckDbWarehouse warehouse, RunSchema schema, string table)
    {
        warehouse.Execute($"create or replace table {schema.Table(table)} (first_name varchar primary key, male_share double)");
        using var reader = Open("reference/first_name_sex.csv");
        using var appender = warehouse.Connection.CreateAppender(schema.Name, table);
        reader.ReadLine();
        while (reader.ReadLine() is { } line)
        {
            var parts = line.Split(',');
            if (parts.Length == 3 && long.TryParse(parts[1], out var male) && long.TryParse(parts[2], out var female) && male + female > 0)
            {
                appender.CreateRow().AppendValue(parts[0]).AppendValue((double)male / (male + female)).EndRow();
            }
        }
    }

    /// <summary>Loads states.csv as <c>(key, code)</c>: each code and each name (upper case, letters only) to its postal code.</summary>
    public static void LoadStates(DuckDbWarehouse warehouse, RunSchema schema, string table)
    {
        warehouse.Execute($"create or replace table {schema.Table(table)} (key varchar primary key, code varchar)");
        using var appender = warehouse.Connection.CreateAppender(schema.Name, table);
        foreach (var (code, name) in States())
        {
            appender.CreateRow().AppendValue(code).AppendValue(code).EndRow();
            appender.CreateRow().AppendValue(NameKey(name)).AppendValue(code).EndRow();
        }
    }

    /// <summary>Each state's name as <see cref="LoadStates"/> keys it (upper case, letters only), with its postal code.</summary>
    public static IEnumerable<(string Key, string Code)> StateNameKeys() =>
        States().Select(s => (NameKey(s.Name), s.Code));

    private static string NameKey(string name) => new string(name.Where(char.IsLetter).ToArray()).ToUpperInvariant();

    /// <summary>The rows of states.csv: each postal code and the state's name as written there.</summary>
    private static IEnumerable<(string Code, string Name)> States()
    {
        using var reader = Open("reference/states.csv");
        reader.ReadLine();
        while (reader.ReadLine() is { } line)
        {
            var comma = line.IndexOf(',', StringComparison.Ordinal);
            yield return (line[..comma], line[(comma + 1)..]);
        }
    }

    /// <summary>
    /// Loads states.csv as <c>(code, name)</c>: each postal code with its name in lower case, words apart
    /// (<c>new york</c>), to find a state named inside a longer text word by word.
    /// </summary>
    public static void LoadStateNames(DuckDbWarehouse warehouse, RunSchema schema, string table)
    {
        warehouse.Execute($"create or replace table {schema.Table(table)} (code varchar primary key, name varchar)");
        using var appender = warehouse.Connection.CreateAppender(schema.Name, table);
        foreach (var (code, name) in States())
        {
            var words = new string(name.Select(c => char.IsLetter(c) ? char.ToLowerInvariant(c) : ' ').ToArray())
                .Split(' ', StringSplitOptions.RemoveEmptyEntries);
            appender.CreateRow().AppendValue(code).AppendValue(string.Join(' ', words)).EndRow();
        }
    }

    /// <summary>
    /// SQL: the key a state (<paramref name="value"/>) is looked up by in the states table: its code or name, upper case,
    /// letters only, null for none. Folded by compatibility first (NFKC, <see cref="CompatibilityFold"/>), so a full-width
    /// ＴＸ or Ｔｅｘａｓ is TX; only a text holding a character outside ASCII pays for the call. The one reading of a state
    /// that the district match (<c>em_state</c>), the candidacy cleaning (<c>em_state_key</c>) and an incremental run's
    /// partitions share: the function <see cref="CompatibilityFold.Function"/> must be registered.
    /// </summary>
    public static string StateKeySql(string value) =>
        $"nullif(upper(regexp_replace(trim({CompatibilityFold.FoldedSql($"cast({value} as varchar)")}), '[^A-Za-z]', '', 'g')), '')";

    /// <summary><c>em_state_key(s)</c>: <see cref="StateKeySql"/>.</summary>
    public static string StateKeyMacroSql => $"""
        create or replace temp macro em_state_key(s) as
            {StateKeySql("s")};
        """;

    /// <summary><c>em_state(s)</c>: a postal code or state name (any case, spaces and punctuation ignored, read by <c>em_state_key</c>) to its postal code, else null.
    /// A correlated lookup per call, fine for the district match's thousands of rows; the candidacy cleaning joins the states table instead.</summary>
    public static string StateMacroSql(RunSchema schema, string statesTable) => $"""
        {StateKeyMacroSql}
        create or replace temp macro em_state(s) as
            (select code from {schema.Table(statesTable)} where key = em_state_key(s));
        """;

    /// <summary>From the nicknames table: each name or nickname with the formal names it may stand for (bob → [robert]).</summary>
    public static void DeriveFirstNameGroups(DuckDbWarehouse warehouse, RunSchema schema, string nicknames, string table) =>
        warehouse.Execute($"""
            create or replace table {schema.Table(table)} as
            select nickname as name, list_sort(list(distinct name)) as groups
            from {schema.Table(nicknames)}
            group by nickname
            """);

    private static StreamReader Open(string resource) => new(Stream(resource));

    private static Stream Stream(string resource) =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"{resource} is not embedded in the library");

    /// <summary>
    /// Each of <paramref name="files"/> (names in Reference/, <c>nicknames.csv</c>) as this build ships it: the SHA-256 of its
    /// bytes and its rows after the header, as a manifest records the reference data a run matched with.
    /// </summary>
    public static IReadOnlyList<Snapshots.ManifestReferenceFile> Hashes(IEnumerable<string> files) =>
        files.Select(file =>
        {
            using var stream = Stream("reference/" + file);
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            var text = System.Text.Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
            var rows = text.Split('\n').Skip(1).LongCount(l => l.TrimEnd('\r').Length > 0);
            return new Snapshots.ManifestReferenceFile(file, Snapshots.SnapshotManifest.Sha256Of(bytes.ToArray()), rows);
        }).ToList();

    /// <summary>
    /// Why a model trained with the reference files <paramref name="recorded"/> (null: not recorded, by an older build)
    /// does not fit this build's <paramref name="now"/>, or null when it does: what a level covers (a nickname, a first
    /// name's sex) comes from them, so its weights were estimated for other pairs.
    /// </summary>
    public static string? OtherThan(IReadOnlyList<Snapshots.ManifestReferenceFile>? recorded, IReadOnlyList<Snapshots.ManifestReferenceFile> now)
    {
        if (recorded is null)
        {
            return "trained with reference data it did not record (stored by an older build)";
        }

        var then = recorded.ToDictionary(f => f.Name, f => f.Sha256, StringComparer.Ordinal);
        var differing = now.Where(f => then.GetValueOrDefault(f.Name) != f.Sha256).Select(f => f.Name)
            .Concat(then.Keys.Where(name => now.All(f => f.Name != name)))
            .Order(StringComparer.Ordinal).ToList();
        return differing.Count == 0 ? null : $"trained with other reference data ({string.Join(", ", differing)} not this build's)";
    }

    /// <summary>The reference files the nicknames table is loaded from: the third-party list, then our own additions to it.</summary>
    public static readonly string[] NicknameFiles = ["nicknames.csv", "name_variants.csv"];

    /// <summary>
    /// Loads <see cref="NicknameFiles"/> as <c>(name, nickname)</c> pairs: each <c>has_nickname</c> and <c>has_abbreviation</c>
    /// row (robert → bob, william → wm), each name paired with itself, and the spellings of one name (<c>has_spelling</c>) as
    /// that one name: every spelling of a set is paired with every other and stands wherever one of them does in a row, so
    /// Terrence has Terence's nickname Terry and Catherine meets Katherine (Reference/README.md).
    /// </summary>
    public static void LoadNicknames(DuckDbWarehouse warehouse, RunSchema schema, string table)
    {
        warehouse.Execute($"create or replace table {schema.Table(table)} (name varchar, nickname varchar)");
        var rows = new List<(string Name, string Nickname)>();
        var spellings = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var parts in NicknameFiles.SelectMany(Synthesis.ReferenceFile.Rows).Where(p => p.Length == 3))
        {
            if (parts[1] is "has_nickname" or "has_abbreviation")
            {
                rows.Add((parts[0], parts[2]));
            }
            else if (parts[1] == "has_spelling")
            {
                var set = new HashSet<string>(StringComparer.Ordinal) { parts[0], parts[2] };
                set.UnionWith(spellings.GetValueOrDefault(parts[0]) ?? []);
                set.UnionWith(spellings.GetValueOrDefault(parts[2]) ?? []);
                foreach (var name in set)
                {
                    spellings[name] = set;
                }
            }
        }

        IEnumerable<string> SpellingsOf(string name) => spellings.GetValueOrDefault(name) ?? [name];
        var pairs = new HashSet<(string Name, string Nickname)>();
        foreach (var (name, nickname) in rows.Concat(rows.Select(r => (r.Name, r.Name))).Concat(spellings.Keys.Select(n => (n, n))))
        {
            foreach (var spelling in SpellingsOf(name))
            {
                foreach (var other in SpellingsOf(nickname))
                {
                    pairs.Add((spelling, other));
                }
            }
        }

        using var appender = warehouse.Connection.CreateAppender(schema.Name, table);
        foreach (var (name, nickname) in pairs)
        {
            appender.CreateRow().AppendValue(name).AppendValue(nickname).EndRow();
        }
    }
}
