using Coordinator.Controllers.Ports;
using Coordinator.Reconciler.Queue;
using Coordinator.Reconciler.Reconcile;
using Microsoft.Extensions.Logging;

namespace Coordinator.Reconciler.Feed;

/// <summary>
/// The persisted half of ttlAfterFinished. The status write that finishes a job records <c>status.expiresAt</c>; this
/// sweep, run by the leader only (it is part of the change feed of a term), lists jobs whose time has come once at the
/// start of the term and then every <see cref="FeedOptions.ExpirySweepInterval"/>, and enqueues them. The reconcile
/// then deletes through the status controller's JobCleanup path (objects with DeleteObjects, task items, the job item),
/// each delete fenced by the lease guard and the leader's term. So a restart or a failover inside the TTL no longer
/// drops the deletion; the in-memory RequeueAfter is only the fast path. A sweep that fails is logged and tried again
/// at the next interval.
/// </summary>
public sealed partial class ExpirySweep(IStateStore store, FeedOptions options, ILogger logger, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Sweeps into <paramref name="queue"/> until cancelled.</summary>
    public async Task RunAsync(WorkQueue<JobKey> queue, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var due = await SweepOnceAsync(queue, ct).ConfigureAwait(false);
                if (due > 0)
                {
                    LogSwept(due);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogSweepFailed(e, options.ExpirySweepInterval);
            }
            try
            {
                await Task.Delay(options.ExpirySweepInterval, _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Enqueues every job due now; returns how many.</summary>
    public async Task<int> SweepOnceAsync(WorkQueue<JobKey> queue, CancellationToken ct)
    {
        var due = 0;
        await foreach (var name in store.ListExpiredJobNamesAsync(_time.GetUtcNow(), ct).ConfigureAwait(false))
        {
            queue.Add(new JobKey(name));
            due++;
        }
        return due;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Expiry sweep: {Count} finished jobs past their ttlAfterFinished enqueued for deletion")]
    private partial void LogSwept(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Expiry sweep failed; trying again in {Interval}")]
    private partial void LogSweepFailed(Exception exception, TimeSpan interval);
}
