using Coordinator.Testing.Processes;

namespace Coordinator.Integration.Tests.Fixtures;

/// <summary>
/// Runs the built `coordinator` executable (copied next to the tests by the project reference) as a separate process,
/// exactly as a user runs it, with the stack's environment plus the given overrides.
/// </summary>
public static class CoordinatorCli
{
    public static string ExecutablePath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "coordinator.exe" : "coordinator");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"the coordinator executable was not built next to the tests at {path}");
        }
    }

    public static Task<ProcessResult> RunAsync(
        IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null) =>
        ProcessRunner.RunAsync(ExecutablePath, arguments, environment, timeout ?? TimeSpan.FromMinutes(2));
}
