using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Coordinator.Reconciler.Hosting;
using Coordinator.Reconciler.Queue;
using Microsoft.Extensions.Logging;

namespace Coordinator.Reconciler.Reconcile;

/// <summary>
/// The workers that take keys from the queue and reconcile them (controller-runtime's processNextWorkItem):
/// at most MaxConcurrentReconciles at once, each key once at a time. Success forgets the key's backoff and honours
/// RequeueAfter; a conflict or an ordinary error re-adds the key rate-limited; a terminal error is logged and dropped.
/// Stopping is graceful: no new keys are taken, in-flight reconciles get the drain timeout, then are cancelled.
/// </summary>
public sealed partial class ReconcileLoop(IReconciler reconciler, WorkQueue<JobKey> queue, WorkQueueOptions options,
    CoordinatorMetrics metrics, ILogger<ReconcileLoop> logger, TimeProvider? time = null, DaemonLiveness? liveness = null)
{
    /// <summary>How often the loop tells <see cref="DaemonLiveness"/> it turns (systemd's watchdog interval is far longer).</summary>
    public static readonly TimeSpan BeatInterval = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// Runs the workers until <paramref name="stopping"/> fires, then drains. <paramref name="abort"/> cancels
    /// in-flight reconciles at once (the lease was lost: another daemon may already be reconciling).
    /// </summary>
    public async Task RunAsync(CancellationToken stopping, CancellationToken abort)
    {
        reconciler.BeginTerm();
        using var inFlight = CancellationTokenSource.CreateLinkedTokenSource(abort);
        var workers = Enumerable.Range(0, options.MaxConcurrentReconciles)
            .Select(_ => Task.Run(() => WorkAsync(inFlight.Token), CancellationToken.None))
            .ToArray();
        await BeatUntilAsync(stopping).ConfigureAwait(false);
        var drainTimeout = abort.IsCancellationRequested ? TimeSpan.Zero : options.DrainTimeout;
        var drained = await queue.ShutDownAsync(drainTimeout).ConfigureAwait(false);
        if (!drained)
        {
            LogDrainTimedOut(drainTimeout);
            await inFlight.CancelAsync().ConfigureAwait(false);
        }
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    /// <summary>
    /// The term's own tick: while it leads, the loop beats for the watchdog. A reconcile may legitimately run for long
    /// (partitioning a large input is one reconcile), so the beat says that the daemon's timers and thread pool still
    /// run, not that every reconcile is short. The loop is retired when the term ends (a standby has no reconcile loop).
    /// </summary>
    private async Task BeatUntilAsync(CancellationToken stopping)
    {
        try
        {
            if (liveness is null)
            {
                await Task.Delay(Timeout.Infinite, stopping).ConfigureAwait(false);
                return;
            }
            using var timer = new PeriodicTimer(BeatInterval, _time);
            do
            {
                liveness.Beat(DaemonLiveness.ReconcileLoop);
            }
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            liveness?.Retire(DaemonLiveness.ReconcileLoop);
        }
    }

    private async Task WorkAsync(CancellationToken ct)
    {
        while (true)
        {
            var (ok, key) = await queue.GetAsync(CancellationToken.None).ConfigureAwait(false);
            if (!ok)
            {
                return;
            }
            try
            {
                await ProcessAsync(key, ct).ConfigureAwait(false);
            }
            finally
            {
                queue.Done(key);
            }
        }
    }

    private async Task ProcessAsync(JobKey key, CancellationToken ct)
    {
        var started = _time.GetTimestamp();
        string outcome;
        try
        {
            var result = await reconciler.ReconcileAsync(key, ct).ConfigureAwait(false);
            queue.Forget(key);
            if (result.After is { } after)
            {
                queue.AddAfter(key, after);
                outcome = "requeue";
            }
            else
            {
                outcome = "done";
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            outcome = "cancelled";
            LogCancelled(key.Name);
        }
        catch (TerminalReconcileException e)
        {
            queue.Forget(key);
            outcome = "terminal";
            LogTerminal(e, key.Name);
        }
        catch (ConflictException e)
        {
            queue.AddRateLimited(key);
            outcome = "conflict";
            LogConflict(key.Name, e.Message);
        }
        catch (Exception e)
        {
            queue.AddRateLimited(key);
            outcome = "error";
            LogFailed(e, key.Name, queue.NumRequeues(key));
        }
        metrics.ReconcileCompleted("pipeline", outcome, _time.GetElapsedTime(started));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown drain did not finish within {DrainTimeout}; cancelling in-flight reconciles")]
    private partial void LogDrainTimedOut(TimeSpan drainTimeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconcile of job {JobName} cancelled")]
    private partial void LogCancelled(string jobName);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconcile of job {JobName} failed terminally; not retrying")]
    private partial void LogTerminal(Exception exception, string jobName);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reconcile of job {JobName} lost a conditional write ({Reason}); requeued")]
    private partial void LogConflict(string jobName, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconcile of job {JobName} failed (retry {Retries}); backing off")]
    private partial void LogFailed(Exception exception, string jobName, int retries);
}
