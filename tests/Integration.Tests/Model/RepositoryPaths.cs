namespace Coordinator.Integration.Tests.Model;

/// <summary>Finds the checked-in examples from the test's output directory, by walking up to Coordinator.sln.</summary>
internal static class RepositoryPaths
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Coordinator.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new DirectoryNotFoundException($"no Coordinator.sln above {AppContext.BaseDirectory}");
        }
    }

    public static string Example(string name, string file) => Path.Combine(Root, "examples", name, file);
}
