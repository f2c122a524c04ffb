using System.Diagnostics;

namespace ElectionMatch.Tests;

/// <summary>
/// The informational version of a build from a source tree with uncommitted edits ends in <c>-dirty</c>, as
/// <c>git describe --dirty</c> does, so bench figures name the exact code measured. Before, a build from an edited tree
/// carried the bare commit, the same as a build of that commit.
/// </summary>
public sealed class SourceTreeVersionTests : IDisposable
{
    private readonly string _tree = Directory.CreateTempSubdirectory("em-source-tree-").FullName;

    public SourceTreeVersionTests()
    {
        // The repository's own build files and ignores (bin/, obj/), over a one-file project in src/, committed to a repository of its own.
        foreach (var file in new[] { ".gitignore", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.Copy(Path.Combine(FixtureCopy.RepositoryRoot, file), Path.Combine(_tree, file));
        }

        Directory.CreateDirectory(Path.Combine(_tree, "src", "Tiny"));
        Directory.CreateDirectory(Path.Combine(_tree, "docs"));
        File.WriteAllText(Path.Combine(_tree, "src", "Tiny", "Tiny.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\" />\n");
        File.WriteAllText(Path.Combine(_tree, "src", "Tiny", "Tiny.cs"), "namespace Tiny;\n\npublic static class Tiny;\n");
        File.WriteAllText(Path.Combine(_tree, "docs", "notes.md"), "# Notes\n");
        Git("init -q");
        Git("add -A");
        Git("-c user.email=t@t -c user.name=t commit -q -m tree");
    }

    public void Dispose() => Directory.Delete(_tree, recursive: true);

    [Fact]
    public void A_build_from_a_clean_tree_carries_the_bare_commit()
    {
        Assert.Equal("0.1.0+" + Git("rev-parse HEAD"), InformationalVersion());
    }

    [Fact]
    public void A_build_with_an_edited_source_file_is_marked_dirty()
    {
        File.AppendAllText(Path.Combine(_tree, "src", "Tiny", "Tiny.cs"), "// edited\n");

        Assert.Equal("0.1.0+" + Git("rev-parse HEAD") + "-dirty", InformationalVersion());
    }

    [Fact]
    public void An_untracked_source_file_is_compiled_too_so_it_marks_the_build_dirty()
    {
        File.WriteAllText(Path.Combine(_tree, "src", "Tiny", "New.cs"), "namespace Tiny;\n");

        Assert.Equal("0.1.0+" + Git("rev-parse HEAD") + "-dirty", InformationalVersion());
    }

    [Fact]
    public void An_edited_doc_is_not_the_tool_and_leaves_the_build_clean()
    {
        File.AppendAllText(Path.Combine(_tree, "docs", "notes.md"), "more\n");

        Assert.Equal("0.1.0+" + Git("rev-parse HEAD"), InformationalVersion());
    }

    // The version as the build stamps it: the same targets as a build, without compiling.
    private string InformationalVersion()
    {
        var result = DotnetProcess.Run(_tree, Path.Combine(_tree, ".packages"), ["msbuild", "src/Tiny/Tiny.csproj", "-nologo", "-nodeReuse:false", "-t:GetAssemblyAttributes", "-getProperty:InformationalVersion"]);
        Assert.True(result.ExitCode == 0, result.Output);
        return result.Output.Trim();
    }

    private string Git(string arguments)
    {
        var info = new ProcessStartInfo("git", arguments) { WorkingDirectory = _tree, RedirectStandardOutput = true, RedirectStandardError = true };
        using var git = Process.Start(info)!;
        var output = git.StandardOutput.ReadToEnd();
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git {arguments}: {error}");
        return output.Trim();
    }
}
