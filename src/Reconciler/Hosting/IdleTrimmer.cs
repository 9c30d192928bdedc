using System.Diagnostics;
using Coordinator.Reconciler.Reconcile;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coordinator.Reconciler.Hosting;

/// <summary>
/// Gives the daemon's freed memory back to the OS when it goes quiet (see <see cref="IdleTrimPolicy"/>): an
/// aggressive, compacting full collection, which also decommits the regions the GC kept for the next burst. The
/// daemon spends most of its life idle on a head node that users share, so its idle footprint is what they see.
/// </summary>
public sealed partial class IdleTrimmer : BackgroundService
{
    private readonly JobReconciler _reconciler;
    private readonly IdleTrimPolicy _policy;
    private readonly TimeProvider _time;
    private readonly ILogger<IdleTrimmer> _logger;
    private long _lastActivityTicks; // UtcTicks of the last reconcile start, or of the daemon's start
    private DateTimeOffset? _lastTrim;
    private long _trimmedWorkingSet;

    public IdleTrimmer(JobReconciler reconciler, IdleTrimPolicy policy, TimeProvider time, ILogger<IdleTrimmer> logger)
    {
        (_reconciler, _policy, _time, _logger) = (reconciler, policy, time, logger);
        _lastActivityTicks = time.GetUtcNow().UtcTicks;
        _reconciler.Started += OnStarted;
    }

    /// <summary>Completed trims; for tests and logs.</summary>
    public int Trims { get; private set; }

    public override void Dispose()
    {
        _reconciler.Started -= OnStarted;
        base.Dispose();
    }

    /// <summary>One check: trims if the policy says so. Returns whether it trimmed.</summary>
    public bool CheckOnce()
    {
        var lastActivity = new DateTimeOffset(Interlocked.Read(ref _lastActivityTicks), TimeSpan.Zero);
        var now = _time.GetUtcNow();
        var before = Environment.WorkingSet;
        if (!_policy.ShouldTrim(lastActivity, _lastTrim, _trimmedWorkingSet, now, before))
        {
            return false;
        }
        var clock = Stopwatch.StartNew();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        _lastTrim = now;
        _trimmedWorkingSet = Environment.WorkingSet;
        Trims++;
        LogTrimmed(before >> 20, _trimmedWorkingSet >> 20, clock.Elapsed.TotalMilliseconds);
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = _policy.QuietPeriod / 2;
        using var timer = new PeriodicTimer(period > TimeSpan.Zero ? period : TimeSpan.FromSeconds(1), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                CheckOnce();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void OnStarted(JobKey key) => Interlocked.Exchange(ref _lastActivityTicks, _time.GetUtcNow().UtcTicks);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Idle: gave freed memory back to the OS (working set {BeforeMb} -> {AfterMb} MiB, {Ms:F1} ms)")]
    private partial void LogTrimmed(long beforeMb, long afterMb, double ms);
}
