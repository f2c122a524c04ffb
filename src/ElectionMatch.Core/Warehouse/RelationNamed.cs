using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Settings;

namespace ElectionMatch.Warehouse;

/// <summary>
/// What an input's relation must name without the warehouse: a source() a sources YAML declares, and a ref() of a
/// model, seed or snapshot of the project while it has no packages (a package's models are not here before `dbt deps`).
/// </summary>
internal static class RelationNamed
{
    /// <summary>The error of an input whose relation names nothing (EM0020, EM0021), or none; a relation that does not parse is the settings' own error.</summary>
    public static Diagnostic? Error(InputSettings input, DbtProject project, SourceCatalog sources, RelationResolver resolver, Func<IReadOnlySet<string>> refNames)
    {
        if (!RelationExpression.TryParse(input.Relation, input.RelationAt, out var call, out _))
        {
            return null;
        }

        try
        {
            if (call.IsSource && sources.Find(call.Arguments[0], call.Arguments[1]) is null)
            {
                resolver.Source(call.Arguments[0], call.Arguments[1], call.At);
            }
            else if (call.IsRef && !refNames().Contains(call.RefModel)
                && !new[] { "packages.yml", "dependencies.yml" }.Any(f => File.Exists(project.Resolve(f))))
            {
                return Diagnostic.Error(Codes.RefNotFound, call.At,
                    $"ref('{call.RefModel}') names no model, seed or snapshot of this project (under {string.Join(", ", project.ModelPaths)}, its seed and snapshot paths), and the project has no packages");
            }
        }
        catch (DiagnosticException e)
        {
            return e.Diagnostics[0];
        }

        return null;
    }
}
