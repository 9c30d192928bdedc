using System.CommandLine;
using Coordinator.Controllers.Cleanup;
using Coordinator.Controllers.Dispatch;
using Coordinator.Data.Layout;
using Coordinator.Model.Status;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator delete NAME... | -l SELECTOR [--purge-data]`: removes each job's item and its task items, as kubectl delete job does.
/// An unfinished job's Slurm submissions are cancelled first, so no worker is left running for a job that is gone
/// (if Slurm cannot be reached nothing is deleted: exit 3). With --purge-data the job's batches, results and
/// manifests under {data root}/jobs/NAME/ go too — that prefix and nothing else; the job's output
/// (spec.output.uri) belongs to the user and is always kept.
/// </summary>
public sealed class DeleteCommand : ICliCommand
{
    public Command Build()
    {
        var names = JobTargets.Names();
        var selector = JobTargets.Selector();
        var purge = new Option<bool>("--purge-data")
        {
            Description = "Also delete the job's batches, results and manifests under {data root}/jobs/NAME/ (never the job's output).",
        };
        var command = new Command("delete",
            "Delete a job: its item and task items (an unfinished job's Slurm tasks are cancelled first). Exit 1 if it does not exist.")
        {
            names, selector, purge,
        };
        command.Subcommands.Add(TemplateVerbs.Delete());
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            CliVerbRunner.RunAsync(parseResult, "delete", async (session, token) =>
            {
                if (await JobTargets.ResolveAsync(session, parseResult, names, selector, "delete", token).ConfigureAwait(false) is not { } jobs)
                {
                    return ExitCodes.Usage;
                }
                return await JobTargets.ForEachAsync(session, "delete", jobs, name => DeleteAsync(session, name, parseResult.GetValue(purge), token))
                    .ConfigureAwait(false);
            }, ct));
        return command;
    }

    private static async Task<string> DeleteAsync(CliSession session, string name, bool purgeData, CancellationToken token)
    {
        var job = await CliVerbRunner.RequireJobAsync(session, name, token).ConfigureAwait(false);
        var cancelled = 0;
        if (!PhaseTransitions.IsTerminal(job.Status.Phase))
        {
            cancelled = (await session.Scheduler.CancelLiveAsync(job.Name, token).ConfigureAwait(false)).Count;
        }
        string data;
        if (purgeData)
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
        return $"job \"{job.Name}\" deleted ({cancelled} Slurm submissions cancelled; {data})";
    }
}
