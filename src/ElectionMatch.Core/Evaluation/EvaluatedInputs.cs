using ElectionMatch.Settings;

namespace ElectionMatch.Evaluation;

/// <summary>What evaluate reads of a match's inputs: the left id's column (as quarantine keeps it) and the right input.</summary>
/// <param name="LeftIdColumn">The left input's id column, the key of a quarantined row's original JSON.</param>
/// <param name="RightRelation">
/// SQL relation of the right input, to look right ids up by name: resolved only when a snapshot lacks its right ids, so
/// scoring a snapshot that has them never needs the inputs (rotated away, or on a machine without them).
/// </param>
/// <param name="Right">The right input's settings: its id and the column of each role.</param>
public sealed record EvaluatedInputs(string LeftIdColumn, Lazy<string> RightRelation, InputSettings Right);
