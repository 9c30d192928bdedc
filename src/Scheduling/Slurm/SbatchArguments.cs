using System.Globalization;
using Coordinator.Controllers.Ports;

namespace Coordinator.Scheduling.Slurm;

/// <summary>
/// The argv for sbatch, one option per entry, passed through ProcessStartInfo.ArgumentList so no shell ever splits or
/// expands a value. The script itself goes on stdin.
/// </summary>
public static class SbatchArguments
{
    /// <param name="request">The submission.</param>
    /// <param name="comment">The --comment to give it; the request's dispatch token when null.</param>
    public static IReadOnlyList<string> Build(SubmitRequest request, string? comment = null)
    {
        var args = new List<string>
        {
            "--parsable",
            // Nothing of the daemon's environment (its AWS credentials included) reaches a task: the batch script
            // exports the request's environment, which is all the worker gets (WorkerEnvironment).
            "--export=NONE",
            $"--job-name={Checked(request.JobName, "job name")}",
            $"--comment={Checked(comment ?? request.Token, "dispatch token")}",
            $"--array={Checked(request.ArrayIndexes, "array indexes")}"
                + (request.MaxConcurrent is { } max ? $"%{max.ToString(CultureInfo.InvariantCulture)}" : ""),
            $"--output={LogPath(request, "out")}",
            $"--error={LogPath(request, "err")}",
            $"--cpus-per-task={request.CpusPerTask.ToString(CultureInfo.InvariantCulture)}",
        };
        AddIfSet(args, "--partition", request.Partition);
        AddIfSet(args, "--mem", request.Memory);
        AddIfSet(args, "--time", request.TimeLimit);
        AddIfSet(args, "--gres", request.Gres);
        AddIfSet(args, "--account", request.Account);
        AddIfSet(args, "--qos", request.Qos);
        return args;
    }

    /// <summary>
    /// Per-task log file: {dir}/{job}-%A_%a.{ext}. A '%' in the directory is doubled so Slurm keeps it literal;
    /// a backslash would switch off Slurm's pattern expansion altogether, so it is refused.
    /// </summary>
    public static string LogPath(SubmitRequest request, string extension)
    {
        var directory = Checked(request.LogDirectory, "log directory").TrimEnd('/');
        if (directory.Contains('\\', StringComparison.Ordinal))
        {
            throw new ArgumentException($"log directory \"{directory}\" contains a backslash, which disables Slurm's %A/%a file patterns");
        }
        var name = Checked(request.JobName, "job name").Replace("%", "%%", StringComparison.Ordinal).Replace('/', '_');
        return $"{directory.Replace("%", "%%", StringComparison.Ordinal)}/{name}-%A_%a.{extension}";
    }

    private static void AddIfSet(List<string> args, string option, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            args.Add($"{option}={Checked(value, option)}");
        }
    }

    /// <summary>Slurm reads option values up to the end of the line; a newline or NUL would corrupt them.</summary>
    private static string Checked(string value, string field)
    {
        if (value.AsSpan().IndexOfAny('\n', '\r', '\0') >= 0)
        {
            throw new ArgumentException($"{field} \"{value.ReplaceLineEndings("\\n")}\" contains a line break or NUL, which Slurm cannot take in an option");
        }
        return value;
    }
}
