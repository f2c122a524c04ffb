using ElectionMatch.Evaluation;

namespace ElectionMatch.Tests.Evaluation;

/// <summary>
/// A line the CSV reader rejected names an id only where its id field is shown to be the id column's: not by a
/// substring of the line, and not on a ragged line whose surplus or missing field may lie before the id.
/// </summary>
public sealed class RejectedLineIdsTests
{
    [Fact]
    public void The_id_field_is_read_past_a_quoted_field_holding_the_delimiter()
    {
        Assert.Equal("1402844", RejectedLineIds.IdOf("282113,\"Maricopa, District 6\",1402844,Vega", ',', 2, 4));
    }

    [Fact]
    public void A_line_with_a_surplus_field_names_no_id_when_its_fields_counted_from_either_end_differ()
    {
        // The surplus field may be before the id column (an unquoted comma in the race name): then 1402844 is not the id.
        Assert.Null(RejectedLineIds.IdOf("282113,Maricopa,1402844,Vega,surplus", ',', 2, 4));
    }

    [Fact]
    public void A_line_with_a_surplus_field_names_its_id_when_its_fields_counted_from_either_end_agree()
    {
        // A header of three fields, a line of four: the id's place from the start and from the end both hold 7.
        Assert.Equal("7", RejectedLineIds.IdOf("x,7,7,Vega", ',', 1, 3));
    }

    [Fact]
    public void A_blank_id_field_or_an_unterminated_quote_names_no_id()
    {
        Assert.Null(RejectedLineIds.IdOf("282113,Maricopa, ,Vega", ',', 2, 4));
        Assert.Null(RejectedLineIds.IdOf("282113,\"Maricopa,1402844,Vega", ',', 2, 4));
    }
}
