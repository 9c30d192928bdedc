using Coordinator.Controllers.Metrics;
using Coordinator.Reconciler.Feed;
using Coordinator.Reconciler.LeaderElection;
using Coordinator.Reconciler.Queue;
using Coordinator.Reconciler.Reconcile;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coordinator.Reconciler.Hosting;

/// <summary>
/// The daemon: campaigns for the lease and, while leading, runs the change feed into a fresh work queue and the
/// reconcile loop over it. Start completes (and systemd hears READY=1) once this daemon has either listed the jobs
/// as leader or learnt it is the standby. Stopping drains in-flight reconciles up to the drain timeout; losing the
/// lease aborts them at once.
/// </summary>
public sealed partial class DaemonService(
    LeaderElector elector,
    ChangeFeed feed,
    IReconciler reconciler,
    WorkQueueOptions queueOptions,
    CoordinatorMetrics metrics,
    ILoggerFactory loggers,
    TimeProvider time,
    DaemonLiveness? liveness = null) : BackgroundService
{
    /// <summary>Longest wait for the first list before start is reported anyway (the feed keeps retrying).</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger = loggers.CreateLogger<DaemonService>();

    /// <summary>Completes when the daemon is ready: first list done as leader, or standing by.</summary>
    public Task Ready => _ready.Task;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
        var ready = await Task.WhenAny(_ready.Task, Task.Delay(ReadyTimeout, time, cancellationToken)).ConfigureAwait(false);
        if (ready != _ready.Task)
        {
            LogNotReadyYet(ReadyTimeout);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = elector.FirstAttempt.ContinueWith(t =>
        {
            if (!t.Result)
            {
                LogStandby(elector.Identity);
                _ready.TrySetResult();
            }
        }, TaskScheduler.Default);
        return elector.RunAsync(LeadAsync, stoppingToken);
    }

    private async Task LeadAsync(CancellationToken stopping, CancellationToken lost)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping, lost);
        using var queue = new WorkQueue<JobKey>(RateLimiters.Default<JobKey>(queueOptions, time), metrics, time);
        var firstList = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = firstList.Task.ContinueWith(_ => _ready.TrySetResult(), TaskScheduler.Default);
        var loop = new ReconcileLoop(reconciler, queue, queueOptions, metrics, loggers.CreateLogger<ReconcileLoop>(), time, liveness);
        var feeding = feed.RunAsync(queue, firstList, stop.Token);
        var reconciling = loop.RunAsync(stop.Token, lost);
        await Task.WhenAll(feeding, reconciling).ConfigureAwait(false);
        LogTermEnded(elector.Identity, lost.IsCancellationRequested ? "lease lost" : "shutting down");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} is standing by: another daemon holds the lease")]
    private partial void LogStandby(string identity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not ready within {Timeout}; reporting started anyway while the feed keeps trying")]
    private partial void LogNotReadyYet(TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} stopped reconciling ({Reason})")]
    private partial void LogTermEnded(string identity, string reason);
}
