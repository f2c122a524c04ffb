using System.Globalization;

namespace ElectionMatch.Synthesis;

/// <summary>
/// First names by sex, weighted by U.S. births (first_name_sex.csv), with their nicknames
/// (nicknames.csv, each weighted by how often the nickname is itself given to that sex) and
/// the look-alike name of the other sex (Gerald ↔ Geraldine, Paul ↔ Paula).
/// </summary>
internal sealed class GivenNames
{
    private readonly WeightedTable<string>[] _names = new WeightedTable<string>[2];
    private readonly WeightedTable<string>[] _withNickname = new WeightedTable<string>[2];
    private readonly WeightedTable<string>[] _accented = new WeightedTable<string>[2];
    private readonly Dictionary<string, WeightedTable<string>>[] _nicknames = [new(StringComparer.Ordinal), new(StringComparer.Ordinal)];
    private readonly Dictionary<string, string> _otherSex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal);

    public GivenNames()
    {
        var births = new Dictionary<string, (long Male, long Female)>(StringComparer.Ordinal);
        foreach (var row in ReferenceFile.Rows("first_name_sex.csv"))
        {
            births[row[0]] = (long.Parse(row[1], CultureInfo.InvariantCulture), long.Parse(row[2], CultureInfo.InvariantCulture));
        }

        foreach (var name in births.Keys)
        {
            _keys[TitleCase(name)] = name;
        }

        var nicknames = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var row in ReferenceFile.Rows("nicknames.csv"))
        {
            if (row.Length == 3 && row[1] == "has_nickname" && row[0] != row[2])
            {
                (nicknames.TryGetValue(row[0], out var list) ? list : nicknames[row[0]] = []).Add(row[2]);
            }
        }

        for (var sex = 0; sex < 2; sex++)
        {
            long Births(string name) => births.TryGetValue(name, out var b) ? (sex == Male ? b.Male : b.Female) : 0;

            var given = births.Keys.Where(n => Births(n) > 0).Order(StringComparer.Ordinal).ToList();
            _names[sex] = new WeightedTable<string>(given.Select(n => (TitleCase(n), (double)Births(n))).ToList());
            _withNickname[sex] = new WeightedTable<string>(given.Where(nicknames.ContainsKey).Select(n => (TitleCase(n), (double)Births(n))).ToList());
            _accented[sex] = new WeightedTable<string>((sex == Male ? AccentedNames.Male : AccentedNames.Female)
                .Select(n => (n, 100.0 + Births(AccentedNames.Strip(n).ToLowerInvariant()))).ToList());
            foreach (var (name, list) in nicknames.OrderBy(n => n.Key, StringComparer.Ordinal))
            {
                // A nickname nobody is given (robert → dobbin) stays possible but rare.
                _nicknames[sex][name] = new WeightedTable<string>(list.Select(n => (TitleCase(n), 100.0 + Births(n))).ToList());
            }
        }

        // Look-alikes of the other sex: the name plus a feminine ending, both common and clearly of one sex.
        bool Clearly(string name, int sex) =>
            births.TryGetValue(name, out var b) && (sex == Male ? b.Male : b.Female) >= 1000
            && (sex == Male ? b.Male : b.Female) > 9 * (sex == Male ? b.Female : b.Male);
        foreach (var name in births.Keys.Order(StringComparer.Ordinal).Where(n => Clearly(n, Male)))
        {
            var feminine = new[] { "a", "e", "ine", "ina", "ette", "elle" }.Select(e => name + e).FirstOrDefault(f => Clearly(f, Female));
            if (feminine is not null)
            {
                _otherSex[TitleCase(name)] = TitleCase(feminine);
                _otherSex.TryAdd(TitleCase(feminine), TitleCase(name));
            }
        }
    }

    private const int Male = 0;
    private const int Female = 1;

    public string Sample(Random random, bool male) => _names[male ? 0 : 1].Sample(random);

    /// <summary>A name that has at least one nickname.</summary>
    public string SampleWithNickname(Random random, bool male) => _withNickname[male ? 0 : 1].Sample(random);

    public string SampleAccented(Random random, bool male) => _accented[male ? 0 : 1].Sample(random);

    public bool HasNickname(string name) => _nicknames[0].ContainsKey(Key(name));

    /// <summary>One of the name's nicknames for a person of that sex, or null when it has none.</summary>
    public string? Nickname(Random random, string name, bool male) =>
        _nicknames[male ? 0 : 1].TryGetValue(Key(name), out var table) ? table.Sample(random) : null;

    /// <summary>The look-alike name of the other sex (Gerald → Geraldine), or null.</summary>
    public string? OtherSex(string name) => _otherSex.GetValueOrDefault(name);

    /// <summary>The lower-case plain spelling the reference files use; most names are plain ASCII already, so that path allocates nothing.</summary>
    private string Key(string name) =>
        _keys.TryGetValue(name, out var key) ? key : AccentedNames.Strip(name).ToLowerInvariant();

    public static string TitleCase(string lower) =>
        lower.Length == 0 ? lower : string.Concat(char.ToUpperInvariant(lower[0]).ToString(), lower.AsSpan(1));
}
