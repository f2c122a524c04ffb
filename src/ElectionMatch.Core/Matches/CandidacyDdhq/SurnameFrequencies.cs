namespace ElectionMatch.Matches.CandidacyDdhq;

/// <summary>
/// The results' surname frequencies counted over a whole input before (an incremental run's, frozen with its model), as
/// relations to read instead of counting them over one run's rows; each holds a row with no value for one seen once.
/// </summary>
/// <param name="Surnames">Each surname's frequency (<c>last_name</c>, <c>tf_last</c>): <see cref="CandidacyDdhqCleaning.SurnamesTable"/>.</param>
/// <param name="Words">Each surname word's frequency (<c>word</c>, <c>tf_word</c>): <see cref="CandidacyDdhqCleaning.SurnameWordsTable"/>.</param>
internal sealed record SurnameFrequencies(string Surnames, string Words);
