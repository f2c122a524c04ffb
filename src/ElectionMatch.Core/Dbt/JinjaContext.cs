namespace ElectionMatch.Dbt;

/// <summary>
/// Which of dbt's rendering contexts a YAML value is in: it decides what dbt gives its Jinja beyond env_var() and literals,
/// and so what ElectionMatch renders and what it reports as dbt's failure or as its own limit.
/// </summary>
internal enum JinjaContext
{
    /// <summary>A sources file: var() reads dbt_project.yml's vars:; target exists there, and ElectionMatch does not render it.</summary>
    Sources,

    /// <summary>
    /// profiles.yml, and dbt_project.yml's <c>profile</c>: dbt renders them to choose the target (its profile context), so
    /// target is undefined there, and var() reads only the --vars on dbt's command line.
    /// </summary>
    Profiles,

    /// <summary>
    /// dbt_project.yml's other keys (<c>name</c>, the paths): dbt renders them with the target it chose, which ElectionMatch
    /// has not chosen yet when it reads them; var() reads only the --vars on dbt's command line.
    /// </summary>
    Project,
}
