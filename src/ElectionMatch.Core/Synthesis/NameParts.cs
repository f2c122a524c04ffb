namespace ElectionMatch.Synthesis;

/// <summary>The parts of a name as one source writes it, before they are joined into its columns.</summary>
internal sealed class NameParts
{
    public required string Given { get; set; }

    public string? Middle { get; set; }

    public required string Last { get; set; }

    public string? Suffix { get; set; }

    /// <summary>A nickname printed in quotes after the given and middle names.</summary>
    public string? Quoted { get; set; }

    /// <summary>"Smith, Jr." rather than "Smith Jr.".</summary>
    public bool CommaBeforeSuffix { get; set; }

    public NameParts Copy() => (NameParts)MemberwiseClone();

    /// <summary>HubSpot's first_name: the given name, then any middle name and quoted nickname typed into it.</summary>
    public string CrmFirstName()
    {
        var text = Middle is null ? Given : Given + " " + Middle;
        return Quoted is null ? text : text + " \"" + Quoted + "\"";
    }

    /// <summary>HubSpot's last_name, with a suffix typed into it.</summary>
    public string CrmLastName() => Suffix is null ? Last : Last + " " + Suffix;

    /// <summary>The name as a race prints it: "Robert C. "Bobby" Scott Jr.", or "Scott Jr., Robert C." in last-first races.</summary>
    public string BallotName(bool upperCase, bool lastFirst)
    {
        var given = Middle is null ? Given : Given + " " + Middle;
        if (Quoted is not null)
        {
            given += " \"" + Quoted + "\"";
        }

        string text;
        if (lastFirst)
        {
            text = (Suffix is null ? Last : Last + " " + Suffix) + ", " + given;
        }
        else
        {
            text = given + " " + Last;
            if (Suffix is not null)
            {
                text += (CommaBeforeSuffix ? ", " : " ") + Suffix;
            }
        }

        return upperCase ? text.ToUpperInvariant() : text;
    }
}
