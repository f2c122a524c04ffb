namespace ElectionMatch.Matching;

/// <summary>
/// A CSV record with one field more than the header, the last one empty, that DuckDB's reader read as a row: it takes
/// such a line's last delimiter for a trailing one, so a value holding an unquoted delimiter (<c>Maricopa County
/// Commission, District 6</c>) was read with every field after it shifted. The run quarantines it (EMQ009) instead.
/// </summary>
/// <param name="File">The file, in full, as DuckDB reads it.</param>
/// <param name="FileIndex">Its place among the input's files (from 0), which orders the quarantine rows.</param>
/// <param name="Line">The line the record starts on, as an editor numbers it.</param>
/// <param name="Text">The record as written.</param>
/// <param name="Ordinal">Its place (from 1) among the rows DuckDB's reader reads from the whole input.</param>
/// <param name="Fields">The header's number of fields; the record has one more.</param>
internal sealed record SurplusFieldRow(string File, int FileIndex, long Line, string Text, long Ordinal, int Fields);
