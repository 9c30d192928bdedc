namespace Coordinator.Worker.Handlers;

/// <summary>
/// Resolves a bare handler command name ("python3") against the PATH of the handler's own environment
/// (<see cref="HandlerEnvironment"/>, where spec.handler.env may set PATH), as a shell would for the child.
/// Process.Start searches the worker's PATH instead, so with a PATH in spec.handler.env the program that ran was not
/// the one the handler's PATH names (found by the chaos security test: with handler env PATH=/usr/bin:/bin, a pyenv
/// shim from the worker's PATH ran instead of /usr/bin/python3 and put PYENV_* variables into the handler's
/// environment).
/// </summary>
public static class HandlerCommand
{
    /// <summary>
    /// The first executable file named <paramref name="command"/> in <paramref name="path"/>'s directories; the
    /// command unchanged when it contains a '/' or is found nowhere (starting it then fails with a clear message).
    /// </summary>
    public static string Resolve(string command, string? path)
    {
        if (command.Length == 0 || command.Contains('/', StringComparison.Ordinal) || string.IsNullOrEmpty(path))
        {
            return command;
        }
        foreach (var directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, command);
            if (IsExecutable(candidate))
            {
                return candidate;
            }
        }
        return command;
    }

    /// <summary>True if <paramref name="path"/> is a file with an execute bit.</summary>
    public static bool IsExecutable(string path) =>
        File.Exists(path)
        && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}
