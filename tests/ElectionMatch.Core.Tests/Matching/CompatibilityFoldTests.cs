using ElectionMatch.Matching;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The compatibility fold (NFKC) makes no number of a number and a fraction: NFKC alone writes District 4½ as District
/// 41⁄2, whose number reads as 41. A fraction after a digit is set apart by a space and written with an ASCII slash.
/// </summary>
public sealed class CompatibilityFoldTests
{
    [Theory]
    [InlineData("District 4½", "District 4 1/2")]
    [InlineData("ＤＩＳＴＲＩＣＴ ４½", "DISTRICT 4 1/2")]
    [InlineData("Ward 12¾", "Ward 12 3/4")]
    [InlineData("District 4¹⁄₂", "District 4 1/2")]
    [InlineData("District 4 ½", "District 4 1/2")]
    [InlineData("½ mile", "1/2 mile")]
    [InlineData("District 4", "District 4")]
    [InlineData("Ｗｒｉｇｈｔ ﬁ Ⅲ", "Wright fi III")]
    public void A_fraction_after_a_number_is_set_apart_from_it(string text, string folded) =>
        Assert.Equal(folded, CompatibilityFold.Fold(text));
}
