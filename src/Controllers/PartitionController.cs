using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Pipeline;
using Coordinator.Data.Formats;
using Coordinator.Data.Partitioning;
using Coordinator.Data.Storage;
using Coordinator.Model.Status;
using Microsoft.Extensions.Logging;

namespace Coordinator.Controllers;

/// <summary>
/// Step 1 of the pipeline: split the input into read-only batches and commit the JobManifest. Guarded by the
/// Partitioned condition of the job's generation. Rerunning after a crash resumes (stored batches are not rewritten);
/// input that can never be partitioned sets Partitioned=False with a reason naming the object and line, and fails
/// the job; store/network faults are thrown so the queue backs off and retries. An activeDeadline that passes while
/// it partitions stops it and fails the job (<see cref="ActiveDeadline"/>).
/// </summary>
public sealed class PartitionController(IObjectStore store, CoordinatorOptions options, ILogger<PartitionController> logger,
    CoordinatorMetrics metrics) : IJobController
{
    public string Name => "partition";
    public int Order => 100;

    public async Task<ControllerResult> ReconcileAsync(JobContext context, CancellationToken ct)
    {
        var job = context.Job;
        var status = job.Status;
        if (StatusEditor.IsTrue(status, ConditionTypes.Partitioned, job.Generation))
            return ControllerResult.Continue;
        if (StatusEditor.IsFalse(status, ConditionTypes.Partitioned, job.Generation) || PhaseTransitions.IsTerminal(status.Phase))
            return ControllerResult.Stop; // refused input stays refused until the user edits the spec (a new generation)

        if (status.Phase == JobPhase.Pending)
        {
            StatusEditor.SetPhase(context, JobPhase.Partitioning);
            status.StartedAt ??= context.Now;
        }
        var layout = context.Layout ?? options.LayoutFor(job);
        PartitionResult result;
        using var deadline = ActiveDeadline.Watch(context, ct);
        try
        {
            result = await new Partitioner(store).RunAsync(job, layout, deadline.Token, context.Now).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.Passed)
        {
            // activeDeadline passed mid-partition (issue 15, path 6): what was written is reused by a redrive's rerun.
            return ActiveDeadline.Fail(context, "partitioning");
        }
        catch (InputFormatException e)
        {
            PartitionLog.InputRefused(logger, job.Name, job.Generation, e.Reason, e.ObjectUri, e.Location, e.Message);
            StatusEditor.SetCondition(context, ConditionTypes.Partitioned, false, e.Reason, e.Message);
            StatusEditor.SetPhase(context, JobPhase.Failed);
            status.Message = e.Message;
            status.CompletedAt = context.Now;
            return ControllerResult.Stop;
        }

        var manifest = result.Manifest;
        var stats = result.Stats;
        PartitionLog.Partitioned(logger, job.Name, job.Generation, manifest.Batches.Count, stats.BatchesWritten, stats.BatchesReused,
            manifest.TotalRecords, stats.BlankLinesSkipped);
        if (!result.AlreadyCommitted)
        {
            metrics.RecordsProcessed("partition", manifest.TotalRecords);
            metrics.BytesProcessed("partition", manifest.TotalBytes);
        }
        status.Batches.Total = manifest.Batches.Count;
        status.Records.Input = manifest.TotalRecords;
        StatusEditor.SetCondition(context, ConditionTypes.Partitioned, true, "Partitioned",
            $"{manifest.Batches.Count} batches, {manifest.TotalRecords} records in {layout.Manifest}");
        return ControllerResult.Continue;
    }
}
