namespace Coordinator.Model.Loading;

/// <summary>
/// The model's one way to reach job files (the <c>extends:</c> chain), so the model itself does no I/O: the CLI
/// passes the local filesystem (<c>Coordinator.Reconciler.Cli.Spec.LocalSpecFiles</c>), tests may pass anything.
/// </summary>
public interface ISpecFiles
{
    /// <summary>The absolute, normalised path of <paramref name="path"/>, relative to <paramref name="directory"/> when it is relative (null: the current directory).</summary>
    string FullPath(string path, string? directory = null);

    /// <summary>The text of the file at the absolute <paramref name="fullPath"/>; IOException or UnauthorizedAccessException when it cannot be read.</summary>
    string ReadAllText(string fullPath);
}
