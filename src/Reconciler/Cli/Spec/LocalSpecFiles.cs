using Coordinator.Model.Loading;

namespace Coordinator.Reconciler.Cli.Spec;

/// <summary>Job files on the local filesystem: what <c>validate -f</c>, <c>submit -f</c> and <c>plan -f</c> read.</summary>
public sealed class LocalSpecFiles : ISpecFiles
{
    public static readonly LocalSpecFiles Instance = new();

    public string FullPath(string path, string? directory = null) =>
        directory is null ? Path.GetFullPath(path) : Path.GetFullPath(Path.Combine(directory, path));

    public string ReadAllText(string fullPath) => File.ReadAllText(fullPath);
}
