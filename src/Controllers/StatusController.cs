using Coordinator.Controllers.Cleanup;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Retry;
using Coordinator.Controllers.Tasks;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Microsoft.Extensions.Logging;

namespace Coordinator.Controllers;

/// <summary>
/// Order 400: keeps status in step with the tasks — counts, completed/failed index ranges, record counts — and acts
/// on them: lost tasks (Slurm no longer runs them, or this daemon has not seen their heartbeat change for StaleAfter)
/// count as failed attempts under the retry policy, and an array task Slurm still lists for one (a paused worker) is
/// cancelled so the batch can run again; batches whose retry backoff has passed on this daemon's clock are
/// released for dispatch; a FailJob rule, a failure count past the policy, or activeDeadline fail the job and cancel what is
/// left in Slurm; suspend holds pending array tasks and resume releases them; a cancelled job has its submissions
/// cancelled; once every batch has ended the job moves to Aggregating. Finished jobs: redrive on a bumped
/// spec.retryGeneration, and cleanup after ttlAfterFinished. While Slurm is unavailable nothing is decided (no task is
/// declared lost on a squeue that failed): the pass stops and <see cref="SlurmOutage"/> marks the job and backs it off.
/// A lost task's end is looked up in Slurm's accounting first (<see cref="ISchedulerAccounting"/>, one sacct shared by
/// every job's pass): NODE_FAIL and PREEMPTED are disruptions, TIMEOUT and OUT_OF_MEMORY charged exits, with the state,
/// node and exit code recorded on the task (<see cref="SlurmEnding"/>); a stale task Slurm still runs (a host cut off,
/// not yet declared down) waits up to another StaleAfter for Slurm's verdict before it is charged as lost.
/// </summary>
public sealed partial class StatusController(
    IScheduler scheduler, IStateStore state, TaskTallySource tallies, JobCleanup cleanup, ILogger<StatusController> logger,
    SlurmOutage outage, CoordinatorMetrics metrics, CoordinatorOptions options, ISchedulerAccounting? accounting = null) : IJobController
{
    public string Name => "status";
    public int Order => 400;

    public Task<ControllerResult> ReconcileAsync(JobContext context, CancellationToken ct) =>
        outage.GuardAsync(context, Name, () => TrackAsync(context, ct));

    private async Task<ControllerResult> TrackAsync(JobContext context, CancellationToken ct)
    {
        var job = context.Job;
        var status = job.Status;
        if (status.Phase == JobPhase.Cancelled)
        {
            await scheduler.CancelLiveAsync(job.Name, ct).ConfigureAwait(false);
            return await FinishedAsync(context, ct).ConfigureAwait(false);
        }
        if (PhaseTransitions.IsTerminal(status.Phase))
        {
            return await FinishedAsync(context, ct).ConfigureAwait(false);
        }
        if (!StatusEditor.IsTrue(status, ConditionTypes.Stored) || status.Phase is JobPhase.Aggregating or JobPhase.Invalid)
        {
            return ControllerResult.Continue;
        }

        var snapshot = await tallies.GetAsync(job, context.Now, options.Dispatch.RescanInterval, ct).ConfigureAwait(false);
        outage.Answered(context);
        var lost = await RecordLostAsync(job, snapshot.Tally, snapshot.InFlight, context.Now, ct).ConfigureAwait(false);
        var released = await ReleaseDueAsync(snapshot.Tally, ct).ConfigureAwait(false);
        if (lost || released)
        {
            tallies.Invalidate(job.Name);
            snapshot = await tallies.GetAsync(job, context.Now, TimeSpan.Zero, ct).ConfigureAwait(false);
        }
        var tally = snapshot.Tally;
        Publish(status, tally);
        PendingInSlurm.Observe(context, snapshot.InFlight);
        metrics.TasksObserved(job.Name, CountsByState(tally));

        if (tally.FailingJob.Count > 0)
        {
            return await FailAsync(context, "FailJobRule", $"batch {tally.FailingJob[0].Index}: {tally.FailingJob[0].Reason}", ct).ConfigureAwait(false);
        }
        if (ActiveDeadline.IsPast(job, context.Now))
        {
            return await FailAsync(context, ActiveDeadline.Reason, ActiveDeadline.Message(job), ct).ConfigureAwait(false);
        }
        if (!FailurePolicyEvaluator.IsTolerated(tally.Failed, tally.Total, job.Spec.FailurePolicy))
        {
            var allowed = FailurePolicyEvaluator.ToleratedFailures(tally.Total, job.Spec.FailurePolicy);
            return await FailAsync(context, "BackoffLimitExceeded",
                $"{tally.Failed} of {tally.Total} batches failed (tolerated: {allowed}); {string.Join("; ", tally.FailureReasons)}", ct).ConfigureAwait(false);
        }

        if (job.Spec.Suspend && status.Phase is JobPhase.Partitioning or JobPhase.Dispatching or JobPhase.Running or JobPhase.Pending)
        {
            foreach (var submission in snapshot.InFlight.Submissions)
            {
                await scheduler.HoldAsync(submission.JobId, ct).ConfigureAwait(false);
            }
            StatusEditor.SetPhase(status, JobPhase.Suspended);
            StatusEditor.SetCondition(status, ConditionTypes.Suspended, StatusEditor.True, "SpecSuspend", "spec.suspend is true: pending tasks held, nothing new dispatched", job.Generation, context.Now);
            LogSuspended(logger, job.Name);
            return ControllerResult.Stop;
        }
        if (status.Phase == JobPhase.Suspended)
        {
            if (job.Spec.Suspend)
            {
                return ControllerResult.Stop;
            }
            foreach (var submission in snapshot.InFlight.Submissions)
            {
                await scheduler.ReleaseAsync(submission.JobId, ct).ConfigureAwait(false);
            }
            StatusEditor.SetPhase(status, JobPhase.Running);
            StatusEditor.SetCondition(status, ConditionTypes.Suspended, StatusEditor.False, "Resumed", "spec.suspend is false", job.Generation, context.Now);
            LogResumed(logger, job.Name);
            return ControllerResult.StopAndRequeueAfter(TimeSpan.Zero);
        }

        if (tally.AllEnded)
        {
            if (status.Phase == JobPhase.Dispatching)
            {
                StatusEditor.SetPhase(status, JobPhase.Running);
            }
            StatusEditor.SetPhase(status, JobPhase.Aggregating);
            StatusEditor.SetCondition(status, ConditionTypes.Dispatched, StatusEditor.True, "AllBatchesEnded",
                $"{tally.Succeeded} succeeded, {tally.Failed} failed (tolerated), {tally.Ignored} ignored", job.Generation, context.Now);
            return ControllerResult.Continue;
        }
        // A released batch is dispatched by the very next pass; a backoff ending sooner than the usual requeue is met on time.
        var requeue = released ? TimeSpan.Zero : options.Dispatch.RunningRequeue;
        if (tally.NextRelease is { } next && next < requeue)
        {
            requeue = next;
        }
        return ControllerResult.StopAndRequeueAfter(requeue);
    }

    /// <summary>Status fields users watch: counts and index ranges, recomputed from the pass's read.</summary>
    internal static void Publish(JobStatus status, TaskTally tally)
    {
        status.Batches.Total = tally.Total;
        status.Batches.Pending = tally.Pending;
        status.Batches.Running = tally.Running;
        status.Batches.Succeeded = tally.Succeeded;
        status.Batches.Failed = tally.Failed;
        status.CompletedIndexes = IndexRanges.Format(tally.SucceededIndexes);
        status.FailedIndexes = IndexRanges.Format(tally.FailedIndexes);
        status.Records.Input = tally.InputRecords;
        status.Records.Output = tally.OutputRecords;
        status.Records.Failed = tally.FailedRecords;
        status.Records.Rejected = tally.RejectedRecords;
    }

    /// <summary>The tasks-by-state gauge's view of one tally (state names as in the task items).</summary>
    internal static Dictionary<string, long> CountsByState(TaskTally tally) => new(StringComparer.Ordinal)
    {
        ["Pending"] = tally.Pending,
        ["Running"] = tally.Running,
        ["Succeeded"] = tally.Succeeded,
        ["Failed"] = tally.Failed,
        ["Ignored"] = tally.Ignored,
    };

    /// <summary>
    /// Records each lost task's attempt as failed, and cancels the array task Slurm still lists for it (a paused worker
    /// stays RUNNING there, and dispatch never resubmits a batch Slurm still runs): exactly <c>{jobId}_{index}</c>.
    /// </summary>
    private async Task<bool> RecordLostAsync(Job job, TaskTally tally, InFlight inFlight, DateTimeOffset now, CancellationToken ct)
    {
        var changed = false;
        var records = tally.Lost.Count == 0 ? [] : await AccountingAsync(job, tally.Lost, now, ct).ConfigureAwait(false);
        foreach (var task in tally.Lost)
        {
            var result = AttemptResult.Failed(AttemptEndKind.Lost,
                $"worker on {task.Host} (Slurm job {task.SlurmJobId}) stopped without recording an outcome; last heartbeat {task.Heartbeat:O}", task.StderrTail ?? "");
            var key = (job.Name, task.Index, task.Attempt);
            if (SlurmEnding.Find(records, task) is { } record)
            {
                result = SlurmEnding.ToAttempt(record, task.StderrTail ?? "");
                task.Host = record.Node ?? task.Host;
            }
            else if (accounting?.Available == true && (SlurmEnding.StillRunning(records, task) || inFlight.Elements.ContainsKey(task.Index))
                && AwaitSlurm(key, now))
            {
                // Slurm still runs it (sacct says so, or squeue still lists it: 22.05 gives sacct the job's comment, the
                // deployment's mark, only once it ends): wait, at most another StaleAfter, for Slurm's verdict.
                continue;
            }
            _awaitingSlurm.TryRemove(key, out _);
            TaskTransitions.RecordEnd(task, result, job.Spec.Retry, now);
            try
            {
                task.Version = await state.UpdateTaskAsync(task, ct).ConfigureAwait(false);
                changed = true;
                metrics.BatchFailed("Lost");
                LogLost(logger, job.Name, task.Index, task.SlurmJobId);
                if (inFlight.Elements.TryGetValue(task.Index, out var element))
                {
                    await scheduler.CancelAsync(element, ct).ConfigureAwait(false);
                }
            }
            catch (ConflictException)
            {
                // The worker wrote after all; its outcome stands.
            }
        }
        return changed;
    }

    /// <summary>Stale tasks Slurm's accounting still shows running, by (job, index, attempt): since when, on this daemon's clock.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Job, int Index, int Attempt), DateTimeOffset> _awaitingSlurm = new();

    /// <summary>
    /// True while a stale task that Slurm still runs has waited less than StaleAfter for Slurm's verdict (a host cut off
    /// is declared NODE_FAIL only after SlurmdTimeout); then it is judged lost as before. Entries older than ten times
    /// that are dropped, so the map holds only tasks being waited for.
    /// </summary>
    private bool AwaitSlurm((string Job, int Index, int Attempt) key, DateTimeOffset now)
    {
        var limit = options.Heartbeat.StaleAfter;
        foreach (var (old, since) in _awaitingSlurm)
        {
            if (now - since > limit * 10)
            {
                _awaitingSlurm.TryRemove(old, out _);
            }
        }
        var first = _awaitingSlurm.GetOrAdd(key, now);
        return now - first < limit;
    }

    /// <summary>
    /// The deployment's accounting records over a window reaching back past the earliest lost attempt's start (plus
    /// a margin, at most a day). Accounting that does not answer leaves the tasks lost as they are, with a warning.
    /// </summary>
    private async Task<IReadOnlyList<AccountedTask>> AccountingAsync(Job job, List<Model.Tasks.JobTask> lost, DateTimeOffset now, CancellationToken ct)
    {
        if (accounting is null)
        {
            return [];
        }
        var earliest = lost.Min(t => t.StartedAt ?? now);
        var window = now - earliest + TimeSpan.FromMinutes(5);
        if (window > TimeSpan.FromDays(1))
        {
            window = TimeSpan.FromDays(1);
        }
        try
        {
            return await accounting.EndedAsync(window, ct).ConfigureAwait(false);
        }
        catch (SchedulerException e)
        {
            LogNoAccounting(logger, job.Name, e.Message);
            return [];
        }
    }

    /// <summary>
    /// Held batches whose backoff has passed on this daemon's clock (<see cref="TaskWatch"/>) become claimable again:
    /// dispatch submits them and pilots claim them. A worker's clock never decides when a retry may start.
    /// </summary>
    private async Task<bool> ReleaseDueAsync(TaskTally tally, CancellationToken ct)
    {
        var changed = false;
        foreach (var task in tally.Due)
        {
            TaskTransitions.Release(task);
            try
            {
                task.Version = await state.UpdateTaskAsync(task, ct).ConfigureAwait(false);
                changed = true;
            }
            catch (ConflictException)
            {
                // Moved meanwhile (a pilot that waited the backoff out itself claimed it, or a redrive): that stands.
            }
        }
        return changed;
    }

    private async Task<ControllerResult> FailAsync(JobContext context, string reason, string message, CancellationToken ct)
    {
        await scheduler.CancelLiveAsync(context.Job.Name, ct).ConfigureAwait(false);
        StatusEditor.Fail(context, reason, message);
        LogFailed(logger, context.Job.Name, reason, message);
        return ControllerResult.Stop;
    }

    /// <summary>Succeeded, Failed or Cancelled: redrive when asked, clean up after ttlAfterFinished.</summary>
    private async Task<ControllerResult> FinishedAsync(JobContext context, CancellationToken ct)
    {
        var job = context.Job;
        var status = job.Status;
        if (Redrive.IsRequested(job))
        {
            var reset = await Redrive.ResetFailedTasksAsync(state, job.Name, job.Generation, ct).ConfigureAwait(false);
            tallies.Invalidate(job.Name);
            StatusEditor.SetPhase(status, JobPhase.Dispatching);
            StatusEditor.SetCondition(status, Redrive.ConditionType, StatusEditor.True, "RetryGeneration",
                $"redrive {job.Spec.RetryGeneration}: {reset.Count} failed batches back to pending", job.Spec.RetryGeneration, context.Now);
            StatusEditor.SetCondition(status, ConditionTypes.Failed, StatusEditor.False, "Redriven", "failed batches are being retried", job.Generation, context.Now);
            status.CompletedAt = null;
            status.Message = "";
            return ControllerResult.StopAndRequeueAfter(TimeSpan.Zero);
        }
        // The reconciler records Expiry.Of(job) as status.expiresAt after the pipeline (the sweep's persisted half).
        if (Expiry.Of(job) is { } expires)
        {
            var left = expires - context.Now;
            if (left > TimeSpan.Zero)
            {
                return ControllerResult.StopAndRequeueAfter(left);
            }
            await cleanup.DeleteAsync(job, ct).ConfigureAwait(false);
            tallies.Invalidate(job.Name);
            context.MarkDeleted();
        }
        return ControllerResult.Stop;
    }

    [LoggerMessage(EventId = 6401, Level = LogLevel.Warning, Message = "{JobName}: batch {BatchIndex} lost (Slurm job {SlurmJobId}); counted as a failed attempt")]
    private static partial void LogLost(ILogger logger, string jobName, int batchIndex, string? slurmJobId);

    [LoggerMessage(EventId = 6405, Level = LogLevel.Warning, Message = "{JobName}: Slurm accounting did not answer, lost batches recorded without their Slurm end state: {Error}")]
    private static partial void LogNoAccounting(ILogger logger, string jobName, string error);

    [LoggerMessage(EventId = 6402, Level = LogLevel.Warning, Message = "{JobName} failed ({Reason}): {Message}")]
    private static partial void LogFailed(ILogger logger, string jobName, string reason, string message);

    [LoggerMessage(EventId = 6403, Level = LogLevel.Information, Message = "{JobName} suspended")]
    private static partial void LogSuspended(ILogger logger, string jobName);

    [LoggerMessage(EventId = 6404, Level = LogLevel.Information, Message = "{JobName} resumed")]
    private static partial void LogResumed(ILogger logger, string jobName);
}
