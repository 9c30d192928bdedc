using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Tasks;
using Coordinator.Data.Layout;
using Coordinator.Data.Storage;
using Coordinator.Model.Spec;
using Coordinator.Model.Tasks;
using Microsoft.Extensions.Logging;

namespace Coordinator.Worker;

/// <summary>
/// Runs one batch end to end, as `coordinator worker` does in each Slurm array task (or repeatedly in pilot mode):
/// claim the task conditionally, make a scratch directory, download the batch and verify its sha256 (a mismatch is
/// never processed), run the handler, validate and count its output, prove the claim is still this attempt's (a
/// conditional heartbeat), upload the result to this attempt's own key, and record the outcome — key, sha256 and the
/// committed object's ETag — conditionally under the retry policy. Heartbeats run throughout. A worker whose claim is
/// gone (it was paused past the staleness limit and its batch given to another attempt) uploads and records nothing.
/// </summary>
public sealed partial class TaskWorker(
    IStateStore state, IObjectStore store, CoordinatorOptions coordinator, WorkerOptions options, TimeProvider clock,
    ILogger<TaskWorker> logger) : IAsyncDisposable
{
    private readonly BatchAttempt _attempt = new(store, options, logger);

    /// <summary>Stream-mode handler processes this worker started (restarts included): one per slot while none had to restart.</summary>
    public int StreamHandlerStarts => _attempt.StreamHandlerStarts;

    /// <summary>Ends this worker's stream-mode handlers (spec.handler.mode: stream); nothing to do in the other modes.</summary>
    public ValueTask DisposeAsync() => _attempt.DisposeAsync();

    /// <summary>Where the time of every batch this worker recorded went (see <see cref="BatchTiming"/>).</summary>
    public WorkerStats Stats { get; } = new();

    /// <summary>Claims and runs batch <paramref name="index"/> of <paramref name="job"/> if it is claimable.</summary>
    public async Task<TaskRunOutcome> RunAsync(Job job, int index, WorkerIdentity identity, CancellationToken disruption, CancellationToken ct)
    {
        var task = await state.GetTaskAsync(job.Name, index, ct).ConfigureAwait(false);
        if (task is null || !TaskTransitions.CanClaim(task))
        {
            LogNotClaimable(logger, job.Name, index, task?.State);
            return TaskRunOutcome.NotClaimed;
        }
        return await RunClaimableAsync(job, task, identity, disruption, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Array mode with packs (spec.dispatch.batchesPerTask): runs batches <paramref name="first"/> …
    /// <paramref name="first"/> + <paramref name="count"/> − 1, each claimed and recorded on its own exactly as a task
    /// of its own would be, up to <paramref name="concurrency"/> at once. A batch that is not claimable (already
    /// succeeded, held by a backoff, past the job's last batch) is skipped, so a pack submitted for one retried batch
    /// runs that batch alone. Returns how many were recorded.
    /// </summary>
    public async Task<int> RunPackAsync(Job job, int first, int count, int concurrency, WorkerIdentity identity, CancellationToken disruption, CancellationToken ct)
    {
        var recorded = 0;
        await Parallel.ForEachAsync(Enumerable.Range(first, count), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = ct },
            async (index, token) =>
            {
                if (disruption.IsCancellationRequested)
                {
                    return;
                }
                if (await RunAsync(job, index, identity, disruption, token).ConfigureAwait(false) == TaskRunOutcome.Recorded)
                {
                    Interlocked.Increment(ref recorded);
                }
            }).ConfigureAwait(false);
        return recorded;
    }

    /// <summary>Claims an already-read task (pilot mode reads pages of them) and runs it.</summary>
    public async Task<TaskRunOutcome> RunClaimableAsync(Job job, JobTask task, WorkerIdentity identity, CancellationToken disruption, CancellationToken ct)
    {
        TaskTransitions.Claim(task, identity.Host, identity.SlurmJobId, identity.ArrayTaskId, clock.GetUtcNow());
        try
        {
            task.Version = await state.UpdateTaskAsync(task, ct).ConfigureAwait(false);
        }
        catch (ConflictException)
        {
            LogClaimLost(logger, job.Name, task.Index);
            return TaskRunOutcome.NotClaimed;
        }
        return await RunClaimedAsync(job, task, identity, disruption, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a task this worker has already claimed (its Running write succeeded; pilots claim many in one round trip)
    /// and records the outcome conditionally.
    /// </summary>
    public async Task<TaskRunOutcome> RunClaimedAsync(Job job, JobTask task, WorkerIdentity identity, CancellationToken disruption, CancellationToken ct)
    {
        LogClaimed(logger, job.Name, task.Index, task.Attempt, identity.SlurmJobId ?? "");
        var timing = new BatchTiming();
        var heartbeat = new HeartbeatWriter(state, task, clock, logger);
        await using (heartbeat.ConfigureAwait(false))
        {
            heartbeat.Start(coordinator.Heartbeat.Interval);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(disruption, heartbeat.Revoked);
            var result = await _attempt.RunAsync(job, task, new JobLayout(coordinator.DataRootUri, job.Name, task.Generation), heartbeat.ConfirmAsync,
                timing, stop.Token, ct).ConfigureAwait(false);
            if (heartbeat.ClaimLost)
            {
                LogSuperseded(logger, job.Name, task.Index, task.Attempt);
                return TaskRunOutcome.Superseded;
            }
            var recorded = await heartbeat.WriteAsync(t => TaskTransitions.RecordEnd(t, result, job.Spec.Retry, clock.GetUtcNow()), CancellationToken.None)
                .ConfigureAwait(false);
            if (!recorded)
            {
                LogSuperseded(logger, job.Name, task.Index, task.Attempt);
                return TaskRunOutcome.Superseded;
            }
            timing.RecordDone();
            Stats.Add(timing);
            LogRecorded(logger, job.Name, task.Index, task.Attempt, task.State, task.Reason,
                timing.Total.TotalMilliseconds, timing.Handler.TotalMilliseconds);
            return TaskRunOutcome.Recorded;
        }
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Debug, Message = "Task {JobName}/{BatchIndex} is not claimable (state {State})")]
    private static partial void LogNotClaimable(ILogger logger, string jobName, int batchIndex, TaskState? state);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Debug, Message = "Another worker claimed {JobName}/{BatchIndex} first")]
    private static partial void LogClaimLost(ILogger logger, string jobName, int batchIndex);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Debug, Message = "Claimed {JobName}/{BatchIndex} attempt {Attempt} (Slurm job {SlurmJobId})")]
    private static partial void LogClaimed(ILogger logger, string jobName, int batchIndex, int attempt, string slurmJobId);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Warning,
        Message = "Task {JobName}/{BatchIndex} attempt {Attempt} was moved by someone else while running; its claim is lost, outcome not recorded")]
    private static partial void LogSuperseded(ILogger logger, string jobName, int batchIndex, int attempt);

    [LoggerMessage(EventId = 6105, Level = LogLevel.Information,
        Message = "Recorded {JobName}/{BatchIndex} attempt {Attempt}: {State} ({Reason}) in {TotalMs:F1} ms, handler {HandlerMs:F1} ms")]
    private static partial void LogRecorded(ILogger logger, string jobName, int batchIndex, int attempt, TaskState state, string? reason,
        double totalMs, double handlerMs);

}
