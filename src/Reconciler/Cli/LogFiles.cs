using Coordinator.Model.Tasks;

namespace Coordinator.Reconciler.Cli;

/// <summary>Where a task's Slurm log files are, and printing them (whole or their last lines).</summary>
public static class LogFiles
{
    /// <summary>
    /// The same names sbatch --output/--error give (SbatchArguments.LogPath, {dir}/{job}-%A_%a.out|err) and the local
    /// scheduler writes: %A is the array job id the worker recorded, %a the array task id.
    /// </summary>
    public static (string Stdout, string Stderr) For(string logDirectory, string job, JobTask task)
    {
        var stem = Path.Combine(logDirectory, $"{job}-{task.SlurmJobId}_{task.SlurmArrayTaskId}");
        return (stem + ".out", stem + ".err");
    }

    /// <summary>Copies the file to <paramref name="output"/>, or only its last <paramref name="lines"/> lines, streaming.</summary>
    public static async Task CopyAsync(string path, int? lines, TextWriter output, CancellationToken ct)
    {
        using var reader = new StreamReader(path);
        if (lines is not { } keep)
        {
            var buffer = new char[81920];
            int read;
            var lastChar = '\n';
            while ((read = await reader.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                lastChar = buffer[read - 1];
            }
            if (lastChar != '\n')
            {
                await output.WriteLineAsync().ConfigureAwait(false); // keep the next header on a line of its own
            }
            return;
        }
        var last = new Queue<string>();
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            last.Enqueue(line);
            if (last.Count > Math.Max(keep, 0))
            {
                last.Dequeue();
            }
        }
        foreach (var line in last)
        {
            await output.WriteLineAsync(line).ConfigureAwait(false);
        }
    }
}
