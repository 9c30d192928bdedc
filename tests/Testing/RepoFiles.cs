namespace Coordinator.Testing;

/// <summary>
/// Finds the repository's files from the test's bin directory (the tests read examples/, deploy/, localstack/ and src/
/// as shipped), by walking up from it.
/// </summary>
public static class RepoFiles
{
    /// <summary>The repository root: the nearest directory above the tests with Coordinator.sln and deploy/.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "Coordinator.sln")) && Directory.Exists(System.IO.Path.Combine(dir.FullName, "deploy")))
                {
                    return dir.FullName;
                }
            }
            throw new DirectoryNotFoundException("the repository root (Coordinator.sln + deploy/) was not found above the test directory");
        }
    }

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>
    /// <paramref name="relative"/> (a file or a directory) under the nearest directory above the tests that has it, or
    /// null when none has.
    /// </summary>
    public static string? FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate) || Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>Every C# source file under src/, without bin/ and obj/.</summary>
    public static IEnumerable<string> Sources() =>
        Directory.EnumerateFiles(Path("src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{System.IO.Path.DirectorySeparatorChar}bin{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{System.IO.Path.DirectorySeparatorChar}obj{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal));
}
