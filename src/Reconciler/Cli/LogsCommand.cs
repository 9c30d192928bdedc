using System.CommandLine;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator logs NAME --batch N [--tail L] [-f]`: the Slurm stdout and stderr files of the task that ran batch N —
/// {Slurm.LogDirectory}/{job}-{array job id}_{array task id}.out|err, as sbatch --output/--error name them
/// (SbatchArguments.LogPath). The files are read from this machine, so run it on the head node (or anywhere the log
/// directory is mounted). In pilot mode a worker's files hold every batch it ran. If the files are gone, the stderr
/// tail the worker stored on the task item is printed instead, and the exit code is 1.
/// </summary>
public sealed class LogsCommand : ICliCommand
{
    public Command Build()
    {
        var name = JobNameArgument.Create();
        var batch = new Option<int>("--batch", "-b") { Description = "The batch (task) index.", Required = true };
        var tail = new Option<int?>("--tail") { Description = "Only the last N lines of each file." };
        var follow = new Option<bool>("--follow", "-f")
        {
            Description = "Keep printing what the task appends to its files (headed by the file, as tail -f does) until the task ends or you interrupt.",
        };
        var command = new Command("logs",
            "Print the Slurm stdout and stderr files of the task that ran one batch. " +
            "Exit 1 if the job or batch does not exist, the batch has not run yet, or its files are gone.")
        {
            name, batch, tail, follow,
        };
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            CliVerbRunner.RunAsync(parseResult, "logs", async (session, token) =>
            {
                var job = await CliVerbRunner.RequireJobAsync(session, parseResult.GetValue(name)!, token).ConfigureAwait(false);
                var index = parseResult.GetValue(batch);
                var task = await session.State.GetTaskAsync(job.Name, index, token).ConfigureAwait(false)
                    ?? throw new KeyNotFoundException(job.Status.Batches.Total > 0
                        ? $"job \"{job.Name}\" has no batch {index} (it has {job.Status.Batches.Total}: 0-{job.Status.Batches.Total - 1})"
                        : $"job \"{job.Name}\" has no batch {index} (it has not been partitioned yet; phase {job.Status.Phase})");
                if (task.SlurmJobId is not { Length: > 0 } || task.SlurmArrayTaskId is not { Length: > 0 })
                {
                    throw new InvalidOperationException($"batch {index} of job \"{job.Name}\" has not started in Slurm yet (state {task.State})");
                }
                var files = LogFiles.For(session.Options.Slurm.LogDirectory, job.Name, task);
                var lines = parseResult.GetValue(tail);
                var missing = 0;
                foreach (var (label, path) in new[] { ("stdout", files.Stdout), ("stderr", files.Stderr) })
                {
                    await session.Output.WriteLineAsync($"==> {label}: {path} <==").ConfigureAwait(false);
                    if (!File.Exists(path))
                    {
                        missing++;
                        await session.Output.WriteLineAsync("(file not found)").ConfigureAwait(false);
                        continue;
                    }
                    await LogFiles.CopyAsync(path, lines, session.Output, token).ConfigureAwait(false);
                }
                if (parseResult.GetValue(follow))
                {
                    return await FollowAsync(session, job.Name, task, files, token).ConfigureAwait(false);
                }
                if (missing == 0)
                {
                    return ExitCodes.Success;
                }
                await session.Error.WriteLineAsync(
                    $"logs: {missing} of the 2 log files of batch {index} (Slurm {task.SlurmJobId}_{task.SlurmArrayTaskId}) are not in " +
                    $"{session.Options.Slurm.LogDirectory} on this machine (Coordinator:Slurm:LogDirectory; run this on the head node)").ConfigureAwait(false);
                if (task.StderrTail is { Length: > 0 } stored)
                {
                    await session.Error.WriteLineAsync($"stderr tail stored on the task item (attempt {task.Attempt}, {task.State}):").ConfigureAwait(false);
                    await session.Error.WriteLineAsync(stored.TrimEnd('\n')).ConfigureAwait(false);
                }
                return ExitCodes.UserError;
            }, ct));
        return command;
    }

    /// <summary>How often `logs -f` looks for new bytes, and reads the task item to see whether it ended.</summary>
    public static readonly TimeSpan FollowInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// tail -f over the task's two files from where the first print ended: new bytes as they come, with a header when
    /// the file they come from changes; ends (exit 0) once the task item says the batch's attempt finished and the files
    /// have been read to their end, or when interrupted. A file that appears later is followed from its start.
    /// </summary>
    private static async Task<int> FollowAsync(CliSession session, string job, Coordinator.Model.Tasks.JobTask followed, (string Stdout, string Stderr) files,
        CancellationToken ct)
    {
        var index = followed.Index;
        var offsets = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            [files.Stdout] = File.Exists(files.Stdout) ? new FileInfo(files.Stdout).Length : 0,
            [files.Stderr] = File.Exists(files.Stderr) ? new FileInfo(files.Stderr).Length : 0,
        };
        string? last = files.Stderr; // the first print ended with stderr
        try
        {
            while (true)
            {
                // Ended: the attempt finished, a new attempt started (other files), the task or the job is gone or finished.
                var task = await session.State.GetTaskAsync(job, index, ct).ConfigureAwait(false);
                var owner = await session.State.GetJobAsync(job, ct).ConfigureAwait(false);
                var ended = task is null || owner is null || Coordinator.Model.Status.PhaseTransitions.IsTerminal(owner.Status.Phase)
                    || task.State is Coordinator.Model.Tasks.TaskState.Succeeded or Coordinator.Model.Tasks.TaskState.Failed or Coordinator.Model.Tasks.TaskState.Ignored
                    || task.Attempt != followed.Attempt || task.SlurmJobId != followed.SlurmJobId;
                foreach (var (label, path) in new[] { ("stdout", files.Stdout), ("stderr", files.Stderr) })
                {
                    if (!File.Exists(path) || new FileInfo(path).Length <= offsets[path])
                    {
                        continue;
                    }
                    await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    stream.Seek(offsets[path], SeekOrigin.Begin);
                    using var reader = new StreamReader(stream);
                    var text = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
                    offsets[path] = stream.Position;
                    if (last != path)
                    {
                        await session.Output.WriteLineAsync($"\n==> {label}: {path} <==").ConfigureAwait(false);
                        last = path;
                    }
                    await session.Output.WriteAsync(text).ConfigureAwait(false);
                    await session.Output.FlushAsync(ct).ConfigureAwait(false);
                }
                if (ended)
                {
                    var why = task is null ? "its task item is gone"
                        : task.Attempt != followed.Attempt || task.SlurmJobId != followed.SlurmJobId ? $"attempt {followed.Attempt} is over; attempt {task.Attempt} runs elsewhere"
                        : owner is null ? "the job is gone" : $"task {task.State}, job {owner.Status.Phase}";
                    await session.Error.WriteLineAsync($"logs: stopped following batch {index} of job \"{job}\": {why}").ConfigureAwait(false);
                    return ExitCodes.Success;
                }
                await Task.Delay(FollowInterval, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return ExitCodes.Success;
        }
    }
}
