using System.CommandLine;
using Coordinator.Controllers.Cleanup;
using Coordinator.Controllers.Dispatch;
using Coordinator.Data.Layout;
using Coordinator.Model.Status;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator delete NAME [--purge-data]`: removes the job item and its task items, as kubectl delete job does.
/// An unfinished job's Slurm submissions are cancelled first, so no worker is left running for a job that is gone
/// (if Slurm cannot be reached nothing is deleted: exit 3). With --purge-data the job's batches, results and
/// manifests under {data root}/jobs/NAME/ go too — that prefix and nothing else; the job's output
/// (spec.output.uri) belongs to the user and is always kept.
/// </summary>
public sealed class DeleteCommand : ICliCommand
{
    public Command Build()
    {
        var name = JobNameArgument.Create();
        var purge = new Option<bool>("--purge-data")
        {
            Description = "Also delete the job's batches, results and manifests under {data root}/jobs/NAME/ (never the job's output).",
        };
        var command = new Command("delete",
            "Delete a job: its item and task items (an unfinished job's Slurm tasks are cancelled first). Exit 1 if it does not exist.")
        {
            name, purge,
        };
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            CliVerbRunner.RunAsync(parseResult, "delete", async (session, token) =>
            {
                var job = await CliVerbRunner.RequireJobAsync(session, parseResult.GetValue(name)!, token).ConfigureAwait(false);
                var cancelled = 0;
                if (!PhaseTransitions.IsTerminal(job.Status.Phase))
                {
                    cancelled = (await session.Scheduler.CancelLiveAsync(job.Name, token).ConfigureAwait(false)).Count;
                }
                string data;
                if (parseResult.GetValue(purge))
                {
                    await new JobCleanup(session.State, session.Objects, session.Options).DeleteAsync(job, token).ConfigureAwait(false);
                    data = $"data under {JobLayout.JobPrefix(session.Options.DataRootUri, job.Name)} purged";
                }
                else
                {
                    await session.State.DeleteTasksAsync(job.Name, token).ConfigureAwait(false);
                    await session.State.DeleteJobAsync(job.Name, token).ConfigureAwait(false);
                    data = "data kept (use --purge-data to remove it)";
                }
                await session.Output.WriteLineAsync(
                    $"job \"{job.Name}\" deleted ({cancelled} Slurm submissions cancelled; {data})").ConfigureAwait(false);
                return ExitCodes.Success;
            }, ct));
        return command;
    }
}
