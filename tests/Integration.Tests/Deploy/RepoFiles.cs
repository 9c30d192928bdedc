namespace Coordinator.Integration.Tests.Deploy;

/// <summary>Finds the repository's files from the test's bin directory (the tests read deploy/ and src/ as shipped).</summary>
internal static class RepoFiles
{
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

    /// <summary>Every C# source file under src/, without bin/ and obj/.</summary>
    public static IEnumerable<string> Sources() =>
        Directory.EnumerateFiles(Path("src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{System.IO.Path.DirectorySeparatorChar}bin{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{System.IO.Path.DirectorySeparatorChar}obj{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal));
}
