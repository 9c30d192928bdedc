using System.Globalization;
using System.Text;

namespace Coordinator.Controllers.Dispatch;

/// <summary>
/// Where a Slurm array task's own stdout/stderr go: <c>{LogDirectory}/{job}-{jobId}_{index}.{out|err}</c>, the file
/// sbatch's <c>--output/--error={dir}/{job}-%A_%a.{ext}</c> names (SbatchArguments.LogPath; %A is the array's job id,
/// %a the task's index) and the local scheduler writes. The daemon reads a task's stderr when the worker never started.
/// </summary>
public static class WorkerLogs
{
    public static string Path(string logDirectory, string jobName, string jobId, int arrayIndex, string extension) =>
        System.IO.Path.Combine(logDirectory, string.Create(CultureInfo.InvariantCulture, $"{jobName.Replace('/', '_')}-{jobId}_{arrayIndex}.{extension}"));

    /// <summary>The last <paramref name="bytes"/> of the file as text; null when it cannot be read (absent, not shared with this host).</summary>
    public static string? Tail(string path, int bytes)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var start = Math.Max(0, file.Length - bytes);
            file.Seek(start, SeekOrigin.Begin);
            var buffer = new byte[file.Length - start];
            file.ReadExactly(buffer);
            return Encoding.UTF8.GetString(buffer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
