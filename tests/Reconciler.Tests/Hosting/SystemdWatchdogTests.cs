using Coordinator.Controllers.Metrics;
using Coordinator.Reconciler.Hosting;
using Coordinator.Reconciler.Queue;
using Coordinator.Reconciler.Reconcile;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Coordinator.Reconciler.Tests.Hosting;

/// <summary>
/// systemd's watchdog: keep-alives only while the daemon's loops turn, none once one of them is silent past the
/// interval (so systemd restarts a hung daemon), again once it turns; nothing when systemd asked for no watchdog.
/// </summary>
public sealed class SystemdWatchdogTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("30000000", null, 30.0)]
    [InlineData("30000000", "4242", 30.0)]
    [InlineData("30000000", "4243", null)]
    [InlineData("30000000", "x", null)]
    [InlineData(null, null, null)]
    [InlineData("0", null, null)]
    [InlineData("-5", null, null)]
    [InlineData("soon", null, null)]
    public void The_interval_is_systemds_WATCHDOG_USEC_for_the_watched_process_only(string? usec, string? pid, double? seconds)
    {
        var environment = new Dictionary<string, string?> { ["WATCHDOG_USEC"] = usec, ["WATCHDOG_PID"] = pid };
        var interval = SystemdWatchdog.Interval(name => environment.GetValueOrDefault(name), processId: 4242);
        Assert.Equal(seconds, interval?.TotalSeconds);
    }

    [Fact]
    public void Keep_alives_stop_while_a_running_loop_is_silent_and_resume_when_it_turns_again()
    {
        var time = new FakeTimeProvider();
        var liveness = new DaemonLiveness(time);
        var notifier = new RecordingNotifier();
        var watchdog = new SystemdWatchdog(notifier, liveness, NullLogger<SystemdWatchdog>.Instance, time);
        var reported = false;

        Assert.True(watchdog.Check(Interval, ref reported));
        Assert.Empty(notifier.States); // still starting: no loop has turned yet, systemd's start timeout covers it

        liveness.Beat(DaemonLiveness.LeaseLoop);
        liveness.Beat(DaemonLiveness.ReconcileLoop);
        Assert.True(watchdog.Check(Interval, ref reported));
        Assert.Equal(["WATCHDOG=1"], notifier.States);

        time.Advance(TimeSpan.FromSeconds(20));
        liveness.Beat(DaemonLiveness.LeaseLoop); // the reconcile loop hangs; the lease loop still turns
        time.Advance(TimeSpan.FromSeconds(11));
        Assert.False(watchdog.Check(Interval, ref reported));
        Assert.False(watchdog.Check(Interval, ref reported));
        Assert.True(reported);
        Assert.Equal(["WATCHDOG=1"], notifier.States);
        Assert.Equal([DaemonLiveness.ReconcileLoop], liveness.SilentLoops(Interval).Select(s => s.Loop));

        liveness.Beat(DaemonLiveness.ReconcileLoop);
        Assert.True(watchdog.Check(Interval, ref reported));
        Assert.False(reported);
        Assert.Equal(["WATCHDOG=1", "WATCHDOG=1"], notifier.States);
    }

    [Fact]
    public void A_retired_loop_is_not_a_silent_one()
    {
        var time = new FakeTimeProvider();
        var liveness = new DaemonLiveness(time);
        var notifier = new RecordingNotifier();
        var watchdog = new SystemdWatchdog(notifier, liveness, NullLogger<SystemdWatchdog>.Instance, time);
        var reported = false;
        liveness.Beat(DaemonLiveness.ReconcileLoop);
        liveness.Beat(DaemonLiveness.LeaseLoop);
        liveness.Retire(DaemonLiveness.ReconcileLoop); // the term ended: this daemon stands by
        time.Advance(TimeSpan.FromSeconds(29));
        liveness.Beat(DaemonLiveness.LeaseLoop);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.True(watchdog.Check(Interval, ref reported));
        Assert.Equal(["WATCHDOG=1"], notifier.States);
    }

    [Fact]
    public async Task Without_WATCHDOG_USEC_the_watchdog_sends_nothing()
    {
        var liveness = new DaemonLiveness();
        liveness.Beat(DaemonLiveness.LeaseLoop);
        var notifier = new RecordingNotifier();
        using var watchdog = new SystemdWatchdog(notifier, liveness, NullLogger<SystemdWatchdog>.Instance, environment: _ => null);
        await watchdog.StartAsync(CancellationToken.None);
        await (watchdog.ExecuteTask ?? Task.CompletedTask).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Empty(notifier.States);
    }

    [Fact]
    public async Task The_reconcile_loop_beats_while_its_term_runs_and_retires_when_it_ends()
    {
        var options = new WorkQueueOptions { MaxConcurrentReconciles = 1 };
        using var metrics = new CoordinatorMetrics();
        using var queue = new WorkQueue<JobKey>(RateLimiters.Default<JobKey>(options, TimeProvider.System), metrics);
        var liveness = new DaemonLiveness();
        using var stop = new CancellationTokenSource();
        var loop = new ReconcileLoop(new Idle(), queue, options, metrics, NullLogger<ReconcileLoop>.Instance, liveness: liveness);
        var running = loop.RunAsync(stop.Token, CancellationToken.None);
        for (var waited = 0; waited < 500 && !liveness.Started; waited++)
        {
            await Task.Delay(10);
        }
        Assert.True(liveness.Started);
        Assert.Empty(liveness.SilentLoops(TimeSpan.FromSeconds(10)));
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(liveness.Started); // retired: a standby has no reconcile loop to wait for
    }

    private sealed class RecordingNotifier : ISystemdNotifier
    {
        public List<string> States { get; } = [];
        public bool IsEnabled => true;
        public void Notify(ServiceState state) => States.Add(state.ToString());
    }

    private sealed class Idle : IReconciler
    {
        public void BeginTerm()
        {
        }

        public Task<ReconcileResult> ReconcileAsync(JobKey key, CancellationToken ct) => Task.FromResult(ReconcileResult.Done);
    }
}
