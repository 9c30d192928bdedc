using System.CommandLine;
using Coordinator.Controllers.Ports;
using Coordinator.Reconciler.Cli.Spec;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator apply -f job.yaml` (kubectl's apply): creates the job, or replaces the spec and labels of an existing
/// one conditional on them being as read (IStateStore.ReplaceJobSpecAsync), printing the diff first. An unchanged job
/// prints "unchanged" and writes nothing. A concurrent change between the read and the write is exit 4, never overwritten.
/// </summary>
public sealed class ApplyCommand : ICliCommand
{
    public Command Build()
    {
        var inputs = new SpecInputOptions();
        var command = new Command("apply",
            "Create a job from a YAML file, or update the spec and labels of an existing one, printing the diff (status is kept; " +
            "the daemon reconciles the new generation). Exit 0 on success or no change, 1 if the spec is invalid, " +
            "3 if AWS is unreachable, 4 if the job changed between the read and the write (run again).");
        inputs.AddTo(command);
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            SpecVerbRunner.RunAsync(parseResult, inputs, "apply", async (result, session) =>
            {
                var output = session.Output;
                var job = result.Job;
                if (job.IsTemplate)
                {
                    await session.Error.WriteLineAsync($"apply takes kind: Job; use `coordinator submit --replace -f` for the template \"{job.Name}\"").ConfigureAwait(false);
                    return ExitCodes.UserError;
                }
                var stored = await session.State.GetJobAsync(job.Name, ct).ConfigureAwait(false);
                var diff = SpecDiff.Between(stored, job);
                if (stored is not null && diff.Count == 0)
                {
                    await output.WriteLineAsync($"job/{job.Name} unchanged").ConfigureAwait(false);
                    return ExitCodes.Success;
                }
                try
                {
                    if (stored is null)
                    {
                        await session.State.PutJobSpecAsync(job, replace: false, ct).ConfigureAwait(false);
                    }
                    else
                    {
                        await session.State.ReplaceJobSpecAsync(stored, job, ct).ConfigureAwait(false);
                    }
                }
                catch (ConflictException e)
                {
                    await session.Error.WriteLineAsync($"apply refused: {e.Message}; nothing was written, run `coordinator diff` and apply again").ConfigureAwait(false);
                    return ExitCodes.Conflict;
                }
                if (stored is not null)
                {
                    foreach (var line in diff)
                    {
                        await output.WriteLineAsync(line).ConfigureAwait(false);
                    }
                }
                await output.WriteLineAsync($"job/{job.Name} {(stored is null ? "created" : "configured")}").ConfigureAwait(false);
                return ExitCodes.Success;
            }, ct));
        return command;
    }
}
