using System.Reflection;
using DuckDB.NET.Data;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>Reference tables shipped inside the library (see Reference/README.md for sources and licences).</summary>
internal static class ReferenceData
{
    /// <summary>Loads nicknames.csv as <c>(name, nickname)</c> pairs, plus each name paired with itself.</summary>
    public static void LoadNicknames(DuckDbWarehouse warehouse, RunSchema schema, string table)
    {
        warehouse.Execute($"create or replace table {schema.Table(table)} (name varchar, nickname varchar)");
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("reference/nicknames.csv")
            ?? throw new InvalidOperationException("reference/nicknames.csv is not embedded in the library");
        using var reader = new StreamReader(stream);
        var names = new HashSet<string>(StringComparer.Ordinal);
        using (var appender = warehouse.Connection.CreateAppender(schema.Name, table))
        {
            reader.ReadLine();
            while (reader.ReadLine() is { } line)
            {
                var parts = line.Split(',');
                if (parts.Length != 3 || parts[1] != "has_nickname")
                {
                    continue;
                }

                appender.CreateRow().AppendValue(parts[0]).AppendValue(parts[2]).EndRow();
                names.Add(parts[0]);
            }

            foreach (var name in names)
            {
                appender.CreateRow().AppendValue(name).AppendValue(name).EndRow();
            }
        }
    }
}
