using ElectionMatch.Snapshots;

namespace ElectionMatch.Operations;

/// <summary>What restore did (or, in a dry run, would do) to one snapshot table.</summary>
/// <param name="Table">The snapshot table, qualified: <c>model_predictions.candidacy_ddhq_matches_20260101</c>.</param>
/// <param name="Parquet">The parquet copy it was (or would be) restored from, as displayed.</param>
/// <param name="Casts">Columns cast back to their published type (<see cref="ParquetCopy.Casts"/>).</param>
/// <param name="AlreadyAsPublished">The snapshot table held what was published: it was left as it is.</param>
public sealed record RestoreResult(
    SnapshotName Name,
    string Table,
    string Parquet,
    long Rows,
    string ContentSha256,
    IReadOnlyList<string> Casts,
    bool DryRun,
    bool AlreadyAsPublished)
{
    /// <summary>The quarantine table (qualified) recreated empty, as its manifest recorded it (or, in a dry run, to be); null when it needed nothing.</summary>
    public string? QuarantineRecreated { get; init; }

    /// <summary>Why the quarantine table, missing or not as published, could not be restored (EM0604 or EM0612); null when it needs nothing or was recreated.</summary>
    public Diagnostics.Diagnostic? QuarantineNotRestored { get; init; }

    /// <summary>Why the parquet copy was not usable when the table held what was published, and it was (or would be) written again from the table; null when it was usable.</summary>
    public string? CopyRewritten { get; init; }

    /// <summary>
    /// What <c>electionmatch restore</c> prints and <c>ElectionMatchRestore</c> logs; <see cref="QuarantineNotRestored"/>,
    /// reported as a diagnostic, is not among them.
    /// </summary>
    public IEnumerable<string> Lines()
    {
        var holding = $"{Rows} rows, content sha256 {ContentSha256[..12]}…";
        if (AlreadyAsPublished)
        {
            var nothingElse = QuarantineRecreated is null && QuarantineNotRestored is null && CopyRewritten is null;
            yield return $"{Table} already holds what was published ({holding}, as its manifest recorded){(nothingElse ? ": nothing to restore" : "")}";
            if (CopyRewritten is { } why)
            {
                yield return $"{(DryRun ? "would write" : "wrote    ")} {Parquet} again from {Table} (the copy was not usable: {why})";
            }
        }
        else
        {
            foreach (var cast in Casts)
            {
                yield return $"{(DryRun ? "would cast" : "cast     ")} {cast} (the type its manifest recorded)";
            }

            yield return DryRun
                ? $"would restore {Table} from {Parquet} ({holding}, as its manifest recorded)"
                : $"restored  {Table} from {Parquet} ({holding}, as its manifest recorded)";
        }

        if (QuarantineRecreated is { } quarantine)
        {
            yield return $"{(DryRun ? "would recreate" : "recreated")} {quarantine} empty (0 rows, as its manifest recorded)";
        }
    }
}
