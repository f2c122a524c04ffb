namespace ElectionMatch.Synthesis;

/// <summary>
/// Town and county names of the kind found in every state: towns from common English place-name
/// parts (Spring+field, Oak+dale, River+side), counties from the names counties most often bear.
/// </summary>
internal static class PlaceNames
{
    private static readonly string[] TownStarts =
    [
        "Spring", "Oak", "River", "Green", "Fair", "Lake", "Brook", "Maple", "Cedar", "Pine", "Elm", "Ash",
        "Clear", "Rock", "Stone", "Sand", "Mill", "Bridge", "Glen", "Wood", "West", "East", "North", "South",
        "New", "Red", "White", "Black", "Silver", "Gold", "Harbor", "Bay", "Marsh", "Hill", "Mount", "Pleasant",
        "Sunny", "Crystal", "Willow", "Cherry", "Plain", "High", "Long", "Fox", "Deer", "Eagle", "Hazel", "Ever",
    ];

    private static readonly string[] TownEnds =
    [
        "field", "dale", "side", "ville", "view", "wood", "brook", "ton", "port", "burg", "ford", "haven",
        "land", "mont", "ridge", "vale", "water", "wick", "bury", "crest", " Springs", " Heights", " Falls", " Park",
        " Valley", " Grove", " City", " Hills", " Beach", " Creek",
    ];

    private static readonly string[] Counties =
    [
        "Washington", "Jefferson", "Franklin", "Jackson", "Lincoln", "Madison", "Clay", "Montgomery", "Marion",
        "Monroe", "Union", "Wayne", "Greene", "Warren", "Johnson", "Grant", "Carroll", "Lawrence", "Polk", "Adams",
        "Clark", "Douglas", "Lee", "Hamilton", "Marshall", "Morgan", "Perry", "Shelby", "Scott", "Calhoun", "Crawford",
        "Fayette", "Henry", "Knox", "Logan", "Mercer", "Putnam", "Randolph", "Brown", "Butler", "Cass", "Decatur",
        "Fulton", "Hancock", "Harrison", "Howard", "Lake", "Orange", "Pike", "Richland", "Sullivan", "Taylor",
        "Benton", "Boone", "Campbell", "Cherokee", "Cumberland", "Delaware", "Garfield", "Hardin", "Houston", "Jasper",
        "Lafayette", "Livingston", "Macon", "Mason", "Miller", "Mitchell", "Newton", "Pulaski", "Ross", "Russell",
        "Sherman", "Stark", "Sumner", "Summit", "Thomas", "Tipton", "Webster", "Wilson", "Worth", "Yates", "Allen",
    ];

    public static string Town(Random random)
    {
        var start = TownStarts[random.Next(TownStarts.Length)];
        var end = TownEnds[random.Next(TownEnds.Length)];
        return start + end;
    }

    public static string County(Random random) => Counties[random.Next(Counties.Length)];
}
