using ElectionMatch.Settings;

namespace ElectionMatch.Evaluation;

/// <summary>What evaluate reads of a match's inputs: the left id's column (as quarantine keeps it), and both inputs.</summary>
/// <param name="LeftIdColumn">The left input's id column, the key of a quarantined row's original JSON.</param>
/// <param name="Left">The left input's settings: its relation and id, to tell a truth left id that is not in it.</param>
/// <param name="LeftRelation">SQL relation of the left input, resolved only when there are misses to look up.</param>
/// <param name="RightRelation">
/// SQL relation of the right input, to look right ids up by name when a snapshot lacks its right ids, and missed right
/// ids up: resolved only then, and scoring goes on without it when it cannot be read (rotated away, or on a machine
/// without the inputs).
/// </param>
/// <param name="Right">The right input's settings: its relation, its id and the column of each role.</param>
public sealed record EvaluatedInputs(string LeftIdColumn, Lazy<string> RightRelation, InputSettings Right, Lazy<string> LeftRelation, InputSettings Left)
{
    /// <summary>
    /// The left input's CSV reading, when it is a CSV file or glob: a line its reader rejected is quarantined as its raw
    /// text, whose id field is read with the header's position of the id column. Null when not a CSV input or not known.
    /// </summary>
    public Lazy<Matching.CsvInput?>? LeftCsv { get; init; }

    /// <summary>The right input's CSV reading, as <see cref="LeftCsv"/>.</summary>
    public Lazy<Matching.CsvInput?>? RightCsv { get; init; }
}
