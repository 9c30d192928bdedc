using System.Runtime.CompilerServices;
using System.Text.Json;
using Coordinator.Controllers.Cleanup;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Errors;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Microsoft.Extensions.Logging;

namespace Coordinator.Reconciler.Reconcile;

/// <summary>
/// Reconciles one job: reads it (strongly consistent), settles its generation, runs every registered
/// <see cref="IJobController"/> in Order until one stops the pass, and saves status once at the end if it changed,
/// conditional on the version read. It never depends on what woke it. A new generation (a spec edit, see
/// <see cref="GenerationPolicy"/>) starts from a fresh Pending status; observedGeneration records that the pass
/// looked at the current generation. RequeueAfter is the shortest any controller asked for. A conflict propagates
/// so the loop re-reads and requeues; an illegal phase move is a bug and becomes terminal.
/// Before a new generation starts, and when a job's item is gone, the job's live Slurm submissions are cancelled:
/// they belong to data that is no longer wanted, and the dispatcher reads squeue to know which batches are in flight,
/// so an old generation's array tasks would otherwise pass for the new generation's.
/// The per-job memories (<see cref="IJobMemory"/>) forget a job once it is finished or gone, and everything at the
/// start of each leadership term (<see cref="BeginTerm"/>).
/// An exception out of a pass (other than a lost conditional write, a cancellation or lost leadership) is also
/// recorded on the job as a Warning event (<see cref="ReconcileErrorEvents"/>), so a job that keeps failing says why
/// on its item and in `describe`, not only in the daemon's log; the exception still propagates to the loop's backoff.
/// </summary>
public sealed partial class JobReconciler(
    IStateStore store,
    IEnumerable<IJobController> controllers,
    CoordinatorOptions options,
    CoordinatorMetrics metrics,
    ILogger<JobReconciler> logger,
    TimeProvider? time = null,
    IScheduler? scheduler = null,
    IEnumerable<IJobMemory>? memories = null) : IReconciler
{
    /// <summary>How long to wait before retrying a spec edit that arrived while the job could not restart (Aggregating).</summary>
    public static readonly TimeSpan DeferredGenerationDelay = TimeSpan.FromSeconds(10);

    private readonly IJobController[] _controllers = [.. controllers.OrderBy(c => c.Order).ThenBy(c => c.Name, StringComparer.Ordinal)];
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly (IJobMemory[] All, ReconcileErrorEvents Errors) _memory = Memories(memories, metrics, time);

    /// <summary>Raised when a pass starts working on a job (after it was read): the benchmark's "reconcile started".</summary>
    public event Action<JobKey>? Started;

    public async Task<ReconcileResult> ReconcileAsync(JobKey key, CancellationToken ct)
    {
        using var scope = logger.BeginScope("JobName={JobName}", key.Name);
        var job = await store.GetJobAsync(key.Name, ct).ConfigureAwait(false);
        if (job is null || job.IsTemplate)
        {
            LogGone(key.Name);
            if (job is null)
            {
                await RetireSubmissionsAsync(key.Name, "its item was deleted", ct).ConfigureAwait(false);
            }
            metrics.JobForgotten(key.Name);
            Forget(key.Name);
            return ReconcileResult.Done;
        }
        Started?.Invoke(key);
        var stage = new StrongBox<string>("read");
        try
        {
            return await ReconcileReadAsync(key, job, stage, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRecordedAsEvent(e))
        {
            await RecordErrorAsync(key.Name, stage.Value!, e, ct).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The pass proper, on the job as read; <paramref name="stage"/> names what it is doing, for the error event.</summary>
    private async Task<ReconcileResult> ReconcileReadAsync(JobKey key, Job job, StrongBox<string> stage, CancellationToken ct)
    {
        var floor = job.Version == 0 ? (await store.GetTaskAsync(key.Name, 0, ct).ConfigureAwait(false))?.Generation ?? 0 : 0;
        var (generation, specHash, isNew) = GenerationPolicy.Decide(job, floor);
        if (isNew)
        {
            if (!PhaseTransitions.IsAllowed(job.Status.Phase, JobPhase.Pending))
            {
                LogGenerationDeferred(key.Name, job.Status.Phase);
                return ReconcileResult.RequeueAfter(DeferredGenerationDelay);
            }
            stage.Value = "new generation";
            LogNewGeneration(key.Name, generation);
            if (generation > 1)
            {
                await RetireSubmissionsAsync(key.Name, $"generation {generation - 1} was replaced by {generation}", ct).ConfigureAwait(false);
            }
            job.Generation = generation;
            job.SpecHash = specHash;
            // Events are about the job, not a generation: a user who fixed the spec still sees what went wrong before.
            job.Status = new JobStatus { Phase = JobPhase.Pending, Events = job.Status.Events };
        }

        var saved = isNew ? "" : Snapshot(job.Status);
        var phaseBefore = job.Status.Phase;
        var context = new JobContext(job, _time.GetUtcNow(), async (j, token) =>
        {
            var version = await store.UpdateJobStatusAsync(j, token).ConfigureAwait(false);
            saved = Snapshot(j.Status);
            return version;
        })
        {
            Layout = options.LayoutFor(job),
        };

        if (isNew)
        {
            // Commit the decision before any controller acts on it: a pass that partitions and stores and then fails
            // (squeue down, a kill) must leave generation and spec hash on the item, or the next pass would see
            // version 0 with tasks of this generation and start another one for an unchanged spec.
            job.Status.ObservedGeneration = job.Generation;
            await context.SaveStatusAsync(ct).ConfigureAwait(false);
        }

        var requeue = await RunPipelineAsync(context, stage, ct).ConfigureAwait(false);
        if (context.Deleted)
        {
            // ttlAfterFinished deleted it: nothing left to write (a save would only conflict).
            metrics.JobForgotten(job.Name);
            Forget(job.Name);
            return ReconcileResult.Done;
        }
        stage.Value = "status write";
        job.Status.ObservedGeneration = job.Generation;
        // The CLI's cancel stamp as of this pass: a finished job whose stamp differs is taken by the relist.
        job.Status.ObservedReconcileRequest = job.ReconcileRequestedAt;
        // Persisted with the write that makes the job terminal, so a later leader's sweep finds it when due;
        // the requeue is only the fast path of this process.
        job.Status.ExpiresAt = Expiry.Of(job);
        // When it is already due the status controller deleted it (or backed off): no requeue here, the sweep is the net.
        if (job.Status.ExpiresAt is { } expires && expires - context.Now is var left && left > TimeSpan.Zero)
        {
            requeue = requeue is { } asked && asked < left ? asked : left;
        }
        if (Snapshot(job.Status) != saved)
        {
            await context.SaveStatusAsync(ct).ConfigureAwait(false);
        }
        metrics.JobPhaseObserved(job.Name, job.Status.Phase.ToString());
        if (PhaseTransitions.IsTerminal(job.Status.Phase))
        {
            // Finished: nothing of it is needed until someone changes it, and that pass reads afresh.
            Forget(job.Name);
        }
        if (FailureReasons.EnteredFailure(phaseBefore, job.Status.Phase))
        {
            metrics.JobFailed(FailureReasons.Of(job.Status));
        }
        return requeue is { } after ? ReconcileResult.RequeueAfter(after) : ReconcileResult.Done;
    }

    private async Task<TimeSpan?> RunPipelineAsync(JobContext context, StrongBox<string> stage, CancellationToken ct)
    {
        TimeSpan? requeue = null;
        foreach (var controller in _controllers)
        {
            stage.Value = controller.Name;
            var started = _time.GetTimestamp();
            ControllerResult result;
            try
            {
                result = await controller.ReconcileAsync(context, ct).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                metrics.ReconcileCompleted(controller.Name, Outcome(e), _time.GetElapsedTime(started));
                if (e is IllegalPhaseTransitionException illegal)
                {
                    throw new TerminalReconcileException($"controller {controller.Name}: {illegal.Message}", illegal);
                }
                throw;
            }
            var outcome = result.ContinuePipeline ? "continue" : result.RequeueAfter is null ? "stop" : "requeue";
            metrics.ReconcileCompleted(controller.Name, outcome, _time.GetElapsedTime(started));
            if (result.RequeueAfter is { } after && (requeue is null || after < requeue))
            {
                requeue = after;
            }
            if (!result.ContinuePipeline)
            {
                LogStopped(context.Job.Name, controller.Name);
                break;
            }
        }
        return requeue;
    }

    /// <summary>Cancels every live submission of the job (squeue by job name); a no-op without a scheduler.</summary>
    private async Task RetireSubmissionsAsync(string name, string why, CancellationToken ct)
    {
        if (scheduler is null)
        {
            return;
        }
        foreach (var jobId in await scheduler.CancelLiveAsync(name, ct).ConfigureAwait(false))
        {
            LogRetired(name, jobId, why);
        }
    }

    /// <summary>
    /// Errors a user must see on the job: everything but a lost conditional write (someone else moved the item: the
    /// next pass re-reads), a cancelled pass, and a refusal because this daemon is no longer sure it leads (it must
    /// not write then).
    /// </summary>
    private static bool IsRecordedAsEvent(Exception e) =>
        e is not (ConflictException or OperationCanceledException or LeadershipLostException);

    /// <summary>
    /// Records the error as a Warning event on the job (deduplicated, written at most once per
    /// <see cref="ReconcileErrorEvents.WriteInterval"/>). The write starts from a fresh read, never from the failed
    /// pass's half-edited status, and is the usual status write: conditional on the version read and fenced by the
    /// leader term. A job no daemon pass has committed a generation for yet is left alone (the write would stamp a
    /// version, and version 0 is what tells the next pass to look for an older generation's tasks). If the write
    /// fails, the events wait for the next one; the original error is what the caller rethrows either way.
    /// </summary>
    private async Task RecordErrorAsync(string name, string stage, Exception error, CancellationToken ct)
    {
        var what = error is CoordinatorException ? error.Message : $"{error.GetType().Name}: {error.Message}";
        var due = _memory.Errors.Note(name, JobEvents.Once(JobEventTypes.Warning, ReconcileErrorEvents.Reason, $"{stage}: {what}", _time.GetUtcNow()));
        if (due is null)
        {
            return;
        }
        try
        {
            var fresh = await store.GetJobAsync(name, ct).ConfigureAwait(false);
            if (fresh is null || fresh.IsTemplate || fresh.Generation == 0)
            {
                _memory.Errors.Restore(name, due);
                return;
            }
            foreach (var e in due)
            {
                JobEvents.Record(fresh.Status.Events, e);
            }
            await store.UpdateJobStatusAsync(fresh, ct).ConfigureAwait(false);
            var count = due.Sum(e => e.Count);
            LogEventRecorded(name, count, what);
        }
        catch (Exception writeError)
        {
            _memory.Errors.Restore(name, due);
            LogEventNotRecorded(name, writeError.Message);
        }
    }

    /// <summary>A new term forgets everything: another daemon may have led in between, and this one saw none of its changes.</summary>
    public void BeginTerm()
    {
        foreach (var memory in _memory.All)
        {
            memory.ForgetAll();
        }
    }

    /// <summary>The controllers' memories plus the reconciler's own (error events not yet written), observed as one gauge.</summary>
    private static (IJobMemory[] All, ReconcileErrorEvents Errors) Memories(IEnumerable<IJobMemory>? memories, CoordinatorMetrics metrics, TimeProvider? time)
    {
        var errors = new ReconcileErrorEvents(time);
        IJobMemory[] all = [.. memories ?? [], errors];
        metrics.ObserveRememberedJobs(() => all.Sum(m => (long)m.Jobs));
        return (all, errors);
    }

    private void Forget(string name)
    {
        foreach (var memory in _memory.All)
        {
            memory.Forget(name);
        }
    }

    private static string Outcome(Exception e) => e switch
    {
        ConflictException => "conflict",
        TerminalReconcileException or IllegalPhaseTransitionException => "terminal",
        OperationCanceledException => "cancelled",
        _ => "error",
    };

    private static string Snapshot(JobStatus status) => JsonSerializer.Serialize(status);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobName} is gone (or is a template); nothing to do")]
    private partial void LogGone(string jobName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobName}: cancelled Slurm job {SlurmJobId} because {Reason}")]
    private partial void LogRetired(string jobName, string slurmJobId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobName} spec changed: starting generation {Generation}")]
    private partial void LogNewGeneration(string jobName, long generation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobName} spec changed while {Phase}; the new generation waits until it can restart")]
    private partial void LogGenerationDeferred(string jobName, JobPhase phase);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobName}: recorded {Count} reconcile errors as an event on the job: {Error}")]
    private partial void LogEventRecorded(string jobName, long count, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobName}: could not record the reconcile error on the job (kept for the next write): {Reason}")]
    private partial void LogEventNotRecorded(string jobName, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobName}: controller {Controller} stopped the pass")]
    private partial void LogStopped(string jobName, string controller);
}
