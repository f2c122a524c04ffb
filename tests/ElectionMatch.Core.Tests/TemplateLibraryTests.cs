using ElectionMatch.Diagnostics;
using ElectionMatch.Generation;

namespace ElectionMatch.Tests;

public sealed class TemplateLibraryTests : IDisposable
{
    private readonly string _project = Path.Combine(Path.GetTempPath(), "em-templates-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose() => Directory.Delete(_project, recursive: true);

    [Fact]
    public void A_template_override_that_does_not_parse_is_reported_at_the_line_and_column_of_the_parse_error()
    {
        var path = Path.Combine(_project, "electionmatch", "templates", StagingModelRenderer.SqlTemplate);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "with\n    source as (\n        select * from {{ source_call \n    )\nselect * from source\n");

        var error = Assert.Throws<DiagnosticException>(() => TemplateLibrary.ForProject(_project).Render(StagingModelRenderer.SqlTemplate, new Dictionary<string, object?>()));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.EndsWith(Path.Combine("electionmatch", "templates", "staging", "model.sql.liquid"), diagnostic.File, StringComparison.Ordinal);
        // Fluid says "… at (3:37)": the unclosed {{ on line 3.
        Assert.Equal((3, 37), (diagnostic.Line, diagnostic.Column));
    }
}
