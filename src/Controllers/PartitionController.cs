using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
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
/// <para>
/// While it reads, the pass writes its progress (<c>status.partition</c>: batches cut, bytes read of the listed total)
/// onto the job: once before the first byte (which also resets whatever an interrupted pass left there), then after a
/// batch once <see cref="CoordinatorOptions.PartitionProgressInterval"/> has passed since the last write. Each write is
/// the pass's ordinary conditional status save. If one loses (the job changed meanwhile: a spec edit, a cancel) no
/// more progress is written in this pass, but partitioning goes on to its commit, so no stored batch is lost and the
/// work is not begun again; the pass's final save then conflicts as well and the job is re-read and requeued, and the
/// next pass finds the committed manifest. When the generation is partitioned (or its input refused) the progress
/// is removed: <c>status.batches.total</c> is then the count.
/// </para>
/// </summary>
public sealed class PartitionController(IObjectStore store, CoordinatorOptions options, ILogger<PartitionController> logger,
    CoordinatorMetrics metrics, TimeProvider? time = null) : IJobController
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly TimeSpan _progressInterval = options.PartitionProgressInterval;
    private readonly ILogger _logger = logger;

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
        var progress = new ProgressWriter(this, context);
        try
        {
            result = await new Partitioner(store, new PartitionProgressHook(progress.ReportAsync))
                .RunAsync(job, layout, deadline.Token, context.Now).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.Passed)
        {
            // activeDeadline passed mid-partition (issue 15, path 6): what was written is reused by a redrive's rerun.
            status.Partition = null;
            return ActiveDeadline.Fail(context, "partitioning");
        }
        catch (InputFormatException e)
        {
            status.Partition = null;
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
        status.Partition = null;
        status.Batches.Total = manifest.Batches.Count;
        status.Records.Input = manifest.TotalRecords;
        StatusEditor.SetCondition(context, ConditionTypes.Partitioned, true, "Partitioned",
            $"{manifest.Batches.Count} batches, {manifest.TotalRecords} records in {layout.Manifest}");
        return ControllerResult.Continue;
    }

    /// <summary>
    /// Turns the partitioner's reports into status writes at a bounded rate: the first report (before reading) always,
    /// then a report with a new batch once the interval has passed since the last write; none after a lost write.
    /// </summary>
    private sealed class ProgressWriter(PartitionController owner, JobContext context)
    {
        private long _lastWrite;
        private long _batchesWritten = -1;
        private bool _stopped;

        public async ValueTask ReportAsync(PartitionTally tally, CancellationToken ct)
        {
            var time = owner._time;
            if (_stopped || (!tally.Starting
                && (tally.BatchesCut <= _batchesWritten || time.GetElapsedTime(_lastWrite) < owner._progressInterval)))
            {
                return;
            }
            var job = context.Job;
            var now = time.GetUtcNow();
            var progress = job.Status.Partition is { } p && !tally.Starting ? p : new PartitionProgress { StartedAt = now };
            progress.BatchesCut = tally.BatchesCut;
            progress.BytesRead = tally.BytesRead;
            progress.BytesTotal = tally.BytesTotal;
            progress.Objects = tally.Objects;
            progress.UpdatedAt = now;
            job.Status.Partition = progress;
            try
            {
                await context.SaveStatusAsync(ct).ConfigureAwait(false);
            }
            catch (ConflictException e)
            {
                _stopped = true;
                PartitionLog.ProgressConflict(owner._logger, job.Name, job.Generation, e.Message);
                return;
            }
            _lastWrite = time.GetTimestamp();
            _batchesWritten = tally.BatchesCut;
        }
    }
}
