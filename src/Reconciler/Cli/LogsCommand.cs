using System.CommandLine;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator logs NAME --batch N [--tail L]`: the Slurm stdout and stderr files of the task that ran batch N —
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
        var command = new Command("logs",
            "Print the Slurm stdout and stderr files of the task that ran one batch. " +
            "Exit 1 if the job or batch does not exist, the batch has not run yet, or its files are gone.")
        {
            name, batch, tail,
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
}
