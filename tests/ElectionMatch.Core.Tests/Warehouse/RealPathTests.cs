using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Warehouse;

/// <summary><see cref="RealPath"/> on real symbolic links, as a symlinked project directory or checkout has them.</summary>
public sealed class RealPathTests : IDisposable
{
    // Resolved once: the temporary directory itself may sit under a link (macOS's /var), which is not what is tested.
    private readonly string _directory = RealPath.Of(Directory.CreateTempSubdirectory("em-realpath-").FullName);

    private string In(params string[] parts) => Path.Combine([_directory, .. parts]);

    [Fact]
    public void A_file_through_a_symlinked_directory_is_the_file_in_the_real_directory()
    {
        Directory.CreateDirectory(In("project", "target"));
        File.WriteAllText(In("project", "target", "w.duckdb"), "");
        Directory.CreateSymbolicLink(In("link"), In("project"));

        Assert.Equal(In("project", "target", "w.duckdb"), RealPath.Of(In("link", "target", "w.duckdb")));
    }

    [Fact]
    public void A_file_not_created_yet_keeps_its_name_under_the_resolved_directory()
    {
        Directory.CreateDirectory(In("project"));
        Directory.CreateSymbolicLink(In("link"), In("project"));

        Assert.Equal(In("project", "target", "new.duckdb"), RealPath.Of(In("link", "target", "new.duckdb")));
    }

    [Fact]
    public void A_relative_link_a_chain_of_links_and_a_linked_file_are_all_followed()
    {
        Directory.CreateDirectory(In("a", "real"));
        File.WriteAllText(In("a", "real", "w.duckdb"), "");
        Directory.CreateSymbolicLink(In("b"), Path.Combine("a", "real"));      // relative, read from the link's directory
        Directory.CreateSymbolicLink(In("c"), In("b"));                         // a link to a link
        File.CreateSymbolicLink(In("a", "real", "alias.duckdb"), "w.duckdb");   // the warehouse file itself linked

        Assert.Equal(In("a", "real", "w.duckdb"), RealPath.Of(In("c", "alias.duckdb")));
    }

    [Fact]
    public void Dot_dot_after_a_link_leaves_the_links_target_as_the_OS_reads_it()
    {
        Directory.CreateDirectory(In("deep", "inner"));
        Directory.CreateDirectory(In("top"));
        Directory.CreateSymbolicLink(In("top", "link"), In("deep", "inner"));

        // Path.GetFullPath reads "top/link/.." as "top"; the OS goes to the target's parent, "deep".
        Assert.Equal(In("deep", "w.duckdb"), RealPath.Of(In("top", "link", "..", "w.duckdb")));
    }

    [Fact]
    public void A_relative_path_is_read_against_the_working_directory()
    {
        Directory.CreateDirectory(In("project"));
        Directory.CreateSymbolicLink(In("link"), In("project"));

        Assert.Equal(In("project", "w.duckdb"), Dbt.WorkingDirectory.In(_directory, () => RealPath.Of(Path.Combine("link", "w.duckdb"))));
    }

    [Fact]
    public void A_link_loop_gives_the_path_as_written_instead_of_hanging()
    {
        Directory.CreateSymbolicLink(In("x"), In("y"));
        Directory.CreateSymbolicLink(In("y"), In("x"));

        Assert.Equal(In("x", "w.duckdb"), RealPath.Of(In("x", "w.duckdb")));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
