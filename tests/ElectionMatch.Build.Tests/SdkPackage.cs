using System.Reflection;

namespace ElectionMatch.Tests;

/// <summary>
/// ElectionMatch.Sdk packed once for the test run into a private folder feed, the way a dbt repository
/// restores it, plus a private NuGet packages folder for every build that uses it.
/// </summary>
/// <remarks>
/// Each test class's fixture holds the one package (<see cref="HeldOnce{T}"/>), and the last to let go deletes it:
/// packing (a 100 MB package) and its extraction by the first restore are paid once instead of once per class.
/// </remarks>
public sealed class SdkPackage : IDisposable
{
    public const string Id = "ElectionMatch.Sdk";

    private static readonly HeldOnce<Packed> Package = new(Packed.Create, Delete);

    private readonly Packed _package = Package.Hold();

    public string Root => _package.Root;

    public string Feed => _package.Feed;

    public string Packages => _package.Packages;

    public string PackagePath => _package.PackagePath;

    public string Version => _package.Version;

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

    public void Dispose() => Package.LetGo();

    private static void Delete(Packed package)
    {
        try
        {
            Directory.Delete(package.Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a finishing build; the OS cleans temp directories.
        }
    }

    private sealed record Packed(string Root, string Feed, string Packages, string PackagePath, string Version)
    {
        public static Packed Create()
        {
            var root = Path.Combine(Path.GetTempPath(), "em-sdk-" + Guid.NewGuid().ToString("N")[..12]);
            var feed = Path.Combine(root, "feed");
            var packages = Path.Combine(root, "packages");
            Directory.CreateDirectory(root);
            var configuration = typeof(SdkPackage).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;
            var project = Path.Combine(FixtureCopy.RepositoryRoot, "src", "ElectionMatch.Build", "ElectionMatch.Build.csproj");

            // The test project's build built the tasks; packing must not build again while other test assemblies run.
            var pack = DotnetProcess.Run(root, packages, ["pack", project, "--no-build", "-c", configuration, "-o", feed, "-p:NuspecOutputPath=" + Path.Combine(root, "nuspec") + Path.DirectorySeparatorChar]);
            if (pack.ExitCode != 0)
            {
                throw new InvalidOperationException("dotnet pack failed:\n" + pack.Output);
            }

            var packagePath = Directory.GetFiles(feed, Id + ".*.nupkg").Single();
            return new Packed(root, feed, packages, packagePath, Path.GetFileNameWithoutExtension(packagePath)[(Id.Length + 1)..]);
        }
    }
}
