using System.Globalization;
using Coordinator.Controllers.Configuration;

namespace Coordinator.Controllers.Dispatch;

/// <summary>
/// The argv each Slurm array task runs: the coordinator executable's worker verb, with the settings the daemon runs
/// with passed explicitly, so a worker on any node reads the same tables and data root. Its environment (endpoint,
/// region, its own credential source, never the daemon's credentials) is <see cref="WorkerEnvironment"/>.
/// Every option carries its value in the same element (<c>--job=NAME</c>), so no value, whatever it holds, is ever
/// read as an option by the worker's parser.
/// </summary>
public static class WorkerLaunch
{
    /// <param name="options">The daemon's settings, passed on.</param>
    /// <param name="jobName">The job.</param>
    /// <param name="offset">Batch index of array index 0.</param>
    /// <param name="perTask">Batches each array task runs (a pack); 1 leaves the option out.</param>
    public static IReadOnlyList<string> Array(CoordinatorOptions options, string jobName, int offset, int perTask = 1) =>
        [.. Executable(options), "worker", $"--job={jobName}", $"--index-offset={offset.ToString(CultureInfo.InvariantCulture)}",
            .. perTask > 1 ? [$"--batches-per-task={perTask.ToString(CultureInfo.InvariantCulture)}"] : System.Array.Empty<string>(), .. Settings(options)];

    public static IReadOnlyList<string> Pilot(CoordinatorOptions options, string jobName, int pilots) =>
        [.. Executable(options), "worker", $"--job={jobName}", "--pilot", $"--pilots={pilots.ToString(CultureInfo.InvariantCulture)}", .. Settings(options)];

    /// <summary>Slurm.WorkerExecutable, else this very process (the daemon is the same `coordinator` binary).</summary>
    public static IReadOnlyList<string> Executable(CoordinatorOptions options)
    {
        if (options.Slurm.WorkerExecutable is { Length: > 0 } configured)
        {
            return [configured];
        }
        var process = Environment.ProcessPath ?? "coordinator";
        // Run as `dotnet coordinator.dll`: the worker must be started the same way.
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && Environment.GetCommandLineArgs() is [var dll, ..] && dll.EndsWith(".dll", StringComparison.Ordinal)
            ? [process, dll]
            : [process];
    }

    private static IEnumerable<string> Settings(CoordinatorOptions options)
    {
        yield return $"--Coordinator:JobsTable={options.JobsTable}";
        yield return $"--Coordinator:TasksTable={options.TasksTable}";
        yield return $"--Coordinator:Bucket={options.Bucket}";
        if (options.DataRoot is { Length: > 0 } root)
        {
            yield return $"--Coordinator:DataRoot={root}";
        }
        if (options.EndpointUrl is { Length: > 0 } endpoint)
        {
            yield return $"--Coordinator:EndpointUrl={endpoint}";
        }
        if (options.Region is { Length: > 0 } region)
        {
            yield return $"--Coordinator:Region={region}";
        }
    }
}
