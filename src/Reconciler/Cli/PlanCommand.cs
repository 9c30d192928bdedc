using System.CommandLine;
using System.ComponentModel;
using Coordinator.Aws.S3;
using Coordinator.Controllers.Ports;
using Coordinator.Data.Formats;
using Coordinator.Data.Layout;
using Coordinator.Data.Partitioning;
using Coordinator.Model.Documents;
using Coordinator.Model.Loading;
using Coordinator.Model.Spec;
using Coordinator.Reconciler.Cli.Plan;
using Coordinator.Reconciler.Cli.Spec;
using Coordinator.Reconciler.Configuration;
using Coordinator.Scheduling.Slurm;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator plan -f job.yaml [--set k=v] [--spec-only]`: prints the resolved job as YAML, after extends,
/// templates and overrides, with every default written out (exactly the spec submit would store), then the batch
/// plan — a count-only pass of the real partitioner over the input, nothing uploaded — and the dispatch plan from
/// the same ArrayPlanner the daemon uses, both as YAML comments so the output is still a valid job file.
/// Exit 1 if the spec is invalid or the input is malformed; an input that does not exist (yet) is only a note.
/// </summary>
public sealed class PlanCommand : ICliCommand
{
    public Command Build()
    {
        var inputs = new SpecInputOptions();
        var specOnly = new Option<bool>("--spec-only") { Description = "Print only the resolved spec: no pass over the input, no Slurm query." };
        var command = new Command("plan",
            "Print the resolved job (extends, templates and --set applied, defaults explicit) as YAML, then the batch plan " +
            "(a count-only pass over the input: batches, records, bytes; nothing uploaded) and the dispatch plan (sbatch arrays " +
            "or pilot workers). Exit 1 if the spec is invalid or the input malformed, 3 if AWS is unreachable.");
        inputs.AddTo(command);
        command.Options.Add(specOnly);
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            SpecVerbRunner.RunAsync(parseResult, inputs, "plan", async (result, session) =>
            {
                var output = parseResult.InvocationConfiguration.Output;
                await output.WriteAsync(YamlWriter.Write(JobDocument.Write(result.Job))).ConfigureAwait(false);
                if (parseResult.GetValue(specOnly) || result.Job.IsTemplate)
                {
                    return ExitCodes.Success;
                }
                return await PrintPlanAsync(parseResult, result.Job, session, ct).ConfigureAwait(false);
            }, ct));
        return command;
    }

    private static async Task<int> PrintPlanAsync(ParseResult parseResult, Job job, CliSession session, CancellationToken ct)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        var store = new CountOnlyObjectStore(ObjectStoreRouter.Create(session.Aws, flushFilesToDisk: false));
        PartitionResult partition;
        try
        {
            partition = await new Partitioner(store).RunAsync(job, new JobLayout(CountOnlyObjectStore.Root, job.Name, 1), ct).ConfigureAwait(false);
        }
        catch (InputFormatException e) when (e.Reason is InputErrorReasons.InputNotFound)
        {
            await output.WriteAsync("\n" + PlanReport.Unavailable(job.Spec.Input.Uri, e.Message)).ConfigureAwait(false);
            await error.WriteLineAsync($"plan: no batch plan: {e.Message} (the job would fail with InputNotFound if it ran now)").ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (InputFormatException e)
        {
            await error.WriteLineAsync($"plan: the input cannot be partitioned ({e.Reason}): {e.Message}").ConfigureAwait(false);
            return ExitCodes.UserError;
        }
        var (maxArraySize, note) = await MaxArraySizeAsync(session.Scheduler, ct).ConfigureAwait(false);
        var batches = BatchPlan.From(partition);
        var dispatch = DispatchPlan.Describe(job.Spec, batches.Batches, maxArraySize, session.Options.Slurm.MaxOutstandingTasks,
            batches.Batches == 0 ? 0 : (double)batches.Records / batches.Batches);
        await output.WriteAsync("\n" + PlanReport.Render(job.Spec.Input.Uri, batches, dispatch, note)).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>Slurm's MaxArraySize from scontrol, or Slurm's default with a note where this machine has no Slurm.</summary>
    private static async Task<(int MaxArraySize, string? Note)> MaxArraySizeAsync(IScheduler scheduler, CancellationToken ct)
    {
        try
        {
            return (await scheduler.GetMaxArraySizeAsync(ct).ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is SchedulerException or Win32Exception)
        {
            return (SlurmConfigReader.DefaultMaxArraySize,
                $"Slurm not reachable from here ({e.Message.Split('\n')[0]}); assumed Slurm's default MaxArraySize {SlurmConfigReader.DefaultMaxArraySize}");
        }
    }
}
