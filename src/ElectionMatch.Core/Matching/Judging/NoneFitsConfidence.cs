using System.Globalization;

namespace ElectionMatch.Matching.Judging;

/// <summary>
/// A rule judge's confidence in its answer 0, that none of the candidates is the row's, as an LLM's answer 0 reports
/// it: 100 less the most points any candidate earns for the row (ties to the lowest number), so a candidate that nearly
/// fits makes "none" doubtful and a row whose candidates are all vetoed is answered 0 at 100. <see cref="Reason"/> is
/// the sum as the reasoning ends with it. Shared by the candidacy and district rule judges.
/// </summary>
/// <param name="Best">The candidate with the most points; null when no candidate earns one.</param>
/// <param name="Aside">Said of <paramref name="Best"/> after its name (", linked to another row,"), or empty.</param>
internal sealed record NoneFitsConfidence(JudgeCandidate? Best, int Points, string Aside)
{
    /// <summary>The most points among <paramref name="scored"/>; each entry's aside is said of it when it is the best.</summary>
    public static NoneFitsConfidence Of(IEnumerable<(JudgeCandidate Candidate, int Points, string Aside)> scored)
    {
        var best = scored.Where(s => s.Points > 0).OrderByDescending(s => s.Points).ThenBy(s => s.Candidate.Number).FirstOrDefault();
        return best.Candidate is null ? new NoneFitsConfidence(null, 0, "") : new NoneFitsConfidence(best.Candidate, best.Points, best.Aside);
    }

    public int Confidence => 100 - Points;

    public string Reason => string.Create(CultureInfo.InvariantCulture,
        $"confidence that none fits 100 - {Points} ({(Best is null ? "no candidate earns a point" : $"candidate {Best.Number} ({Best.Name}){Aside} earns {Points}")}) = {Confidence}");
}
