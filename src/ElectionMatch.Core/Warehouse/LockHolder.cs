using System.Globalization;
using System.Text.RegularExpressions;

namespace ElectionMatch.Warehouse;

/// <summary>The process DuckDB names as holding its lock on a warehouse file, and what a command that met it tells its user.</summary>
/// <param name="Program">The holder's executable, without its directory (<c>dotnet</c>, <c>duckdb</c>, <c>python3</c>).</param>
/// <param name="ElectionMatch">Whether it is an electionmatch command: one that met this command's lock only through
/// DuckDB's (another user's, or an electionmatch that keeps its lock files elsewhere), not a dbt run or a DuckDB shell.</param>
internal sealed partial record LockHolder(string Program, int? ProcessId, bool ElectionMatch)
{
    /// <summary>DuckDB names the holder as "Conflicting lock is held in /usr/bin/dotnet (PID 123)"; the rest of its text is noise here.</summary>
    public static LockHolder Of(string duckDbMessage)
    {
        var m = HeldIn().Match(duckDbMessage);
        if (!m.Success || !int.TryParse(m.Groups["pid"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return new("process unknown", null, false);
        }

        var program = m.Groups["program"].Value;
        return new(Path.GetFileName(program), pid, Safety.LiveProcess.IsElectionMatch(pid, program));
    }

    /// <summary>Who holds the warehouse, as a message names it.</summary>
    public string Name => (ElectionMatch, ProcessId) switch
    {
        (true, { } pid) => string.Create(CultureInfo.InvariantCulture, $"another electionmatch command (PID {pid})"),
        (_, { } pid) => string.Create(CultureInfo.InvariantCulture, $"another process ({Program}, PID {pid})"),
        _ => "another process (process unknown)",
    };

    /// <summary>The EM0600 message once <paramref name="wait"/> has run out.</summary>
    public string Advice(LockWait wait)
    {
        var waited = wait.Timeout > TimeSpan.Zero ? $"; {wait.Waited}" : "";
        return ElectionMatch
            ? $"the warehouse is in use by {Name}, which holds DuckDB's own lock on the file{waited}; let it finish, or pass --lock-timeout <seconds> to wait longer"
            : $"the warehouse is locked by {Name}: a dbt run, a DuckDB shell or a program holding it open{waited}; close it or wait for it, then try again, or pass --lock-timeout <seconds> to wait longer";
    }

    [GeneratedRegex(@"held in (?<program>.+?) \(PID (?<pid>\d+)\)")]
    private static partial Regex HeldIn();
}
