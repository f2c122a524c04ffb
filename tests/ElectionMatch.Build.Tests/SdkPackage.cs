using System.Reflection;

namespace ElectionMatch.Tests;

/// <summary>
/// ElectionMatch.Sdk packed once for a test class into a private folder feed, the way a dbt repository
/// restores it, plus a private NuGet packages folder for every build that uses it.
/// </summary>
public sealed class SdkPackage : IDisposable
{
    public const string Id = "ElectionMatch.Sdk";

    public SdkPackage()
    {
        Root = Path.Combine(Path.GetTempPath(), "em-sdk-" + Guid.NewGuid().ToString("N")[..12]);
        Feed = Path.Combine(Root, "feed");
        Packages = Path.Combine(Root, "packages");
        Directory.CreateDirectory(Root);
        var configuration = typeof(SdkPackage).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;
        var project = Path.Combine(FixtureCopy.RepositoryRoot, "src", "ElectionMatch.Build", "ElectionMatch.Build.csproj");

        // The test project's build built the tasks; packing must not build again while other test assemblies run.
        var pack = DotnetProcess.Run(Root, Packages, ["pack", project, "--no-build", "-c", configuration, "-o", Feed, "-p:NuspecOutputPath=" + Path.Combine(Root, "nuspec") + Path.DirectorySeparatorChar]);
        if (pack.ExitCode != 0)
        {
            throw new InvalidOperationException("dotnet pack failed:\n" + pack.Output);
        }

        PackagePath = Directory.GetFiles(Feed, Id + ".*.nupkg").Single();
        Version = Path.GetFileNameWithoutExtension(PackagePath)[(Id.Length + 1)..];
    }

    public string Root { get; }

    public string Feed { get; }

    public string Packages { get; }

    public string PackagePath { get; }

    public string Version { get; }

    /// <summary>
    /// Opts a dbt project in: the one-line project file, and a nuget.config whose only source is the feed,
    /// which proves the package needs nothing else.
    /// </summary>
    public void AddTo(string dbtDirectory)
    {
        File.WriteAllText(Path.Combine(dbtDirectory, "electionmatch.proj"), $"""<Project Sdk="{Id}/{Version}" />""" + "\n");
        File.WriteAllText(Path.Combine(dbtDirectory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="electionmatch" value="{Feed}" />
              </packageSources>
            </configuration>

            """);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a finishing build; the OS cleans temp directories.
        }
    }
}
