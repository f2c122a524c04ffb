namespace ElectionMatch.Cli.Output;

/// <summary>
/// Where a command writes: the process's standard output and error, or the writers of the caller that invoked the
/// command tree in its own process (<see cref="CommandLine.InvokeInProcess"/>). The choice flows with the call, so
/// commands invoked side by side in one process each write to their own pair.
/// </summary>
internal static class Terminal
{
    private static readonly AsyncLocal<(TextWriter Out, TextWriter Error)?> Redirected = new();

    public static TextWriter Out => Redirected.Value?.Out ?? Console.Out;

    public static TextWriter Error => Redirected.Value?.Error ?? Console.Error;

    /// <summary>Sends what the commands invoked in <paramref name="body"/> write to these writers.</summary>
    public static T To<T>(TextWriter output, TextWriter error, Func<T> body)
    {
        var before = Redirected.Value;
        Redirected.Value = (output, error);
        try
        {
            return body();
        }
        finally
        {
            Redirected.Value = before;
        }
    }
}
