using System.Globalization;
using System.Text;

namespace ElectionMatch.Synthesis;

/// <summary>
/// Common U.S. given names and surnames that are often written with accents, in their accented
/// spelling. Only letters whose accent Unicode decomposition removes (é, ñ, ü, ễ), so the plain
/// spelling is always <see cref="Strip"/> of the accented one.
/// </summary>
internal static class AccentedNames
{
    public static IReadOnlyList<string> Male { get; } =
    [
        "José", "Jesús", "Raúl", "Ramón", "Andrés", "Rubén", "Héctor", "Víctor", "Óscar", "Joaquín", "Martín",
        "Germán", "Tomás", "Nicolás", "Sebastián", "Adrián", "Julián", "Iván", "René", "André", "Efraín", "Agustín",
    ];

    public static IReadOnlyList<string> Female { get; } =
    [
        "María", "Sofía", "Lucía", "Inés", "Angélica", "Mónica", "Verónica", "Renée", "Zoë", "Chloé", "Bárbara",
        "Belén", "Fátima", "Rocío", "Noemí", "Aimée", "Desirée", "Maité", "Anaís",
    ];

    public static IReadOnlyList<string> Surnames { get; } =
    [
        "Rodríguez", "Martínez", "Hernández", "González", "López", "Pérez", "Sánchez", "Ramírez", "Gómez", "Díaz",
        "Jiménez", "Gutiérrez", "Álvarez", "Vásquez", "Domínguez", "Suárez", "Benítez", "Méndez", "Chávez", "Núñez",
        "Peña", "Muñoz", "Ibáñez", "Fernández", "Márquez", "Vázquez", "Juárez", "Sáenz", "Rincón", "León", "Ríos",
        "Durán", "Guzmán", "Velázquez", "Cárdenas", "Báez", "Quiñones", "Montañez", "Acuña", "Ordóñez", "Bolaños",
        "Müller", "Nguyễn", "Trần", "Phạm", "Lê", "Bélanger", "Gagné", "Côté", "Lévesque", "Bérubé", "Thériault",
    ];

    /// <summary>The spelling without accents: "Núñez" → "Nunez", "Nguyễn" → "Nguyen".</summary>
    public static string Strip(string text)
    {
        if (!HasAccent(text))
        {
            return text;
        }

        var decomposed = text.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(c);
            }
        }

        return builder.ToString().Normalize(NormalizationForm.FormC);
    }

    public static bool HasAccent(string text)
    {
        foreach (var c in text)
        {
            if (c > '\u007f')
            {
                return true;
            }
        }

        return false;
    }
}
