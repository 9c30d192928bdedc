using Coordinator.Controllers.Retry;
using Coordinator.Controllers.Tasks;
using Coordinator.Controllers.Tests.Dispatch;
using Coordinator.Controllers.Tests.Worker;
using Coordinator.Model.Spec;
using Coordinator.Model.Tasks;
using Coordinator.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Coordinator.Controllers.Tests.Tasks;

/// <summary>
/// Issue 14, defect 6: liveness and retry backoff are judged on the daemon's own clock, never by comparing it with
/// timestamps a worker stamped on another host. A worker's clock 5 minutes behind or ahead changes nothing: a task is
/// lost when the daemon has not seen its heartbeat change for StaleAfter, and a backoff lasts its delay as the
/// daemon (or the pilot waiting it out) measures it.
/// </summary>
public sealed class SkewedWorkerClockTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Pass = TimeSpan.FromSeconds(5);
    private readonly ControllerFixture _fx = new();

    public SkewedWorkerClockTests() => _fx.Options.Heartbeat.Interval = Interval;

    public void Dispose() => _fx.Dispose();

    private TimeSpan StaleAfter => _fx.Options.Heartbeat.StaleAfter;

    /// <summary>A dispatched job whose batch 0 a worker with clock <paramref name="skew"/> has claimed.</summary>
    private async Task ClaimedAsync(string name, TimeSpan skew, Action<JobSpec>? configure = null)
    {
        await _fx.StoredJobAsync(name, 1, configure);
        await _fx.PassAsync(name, _fx.Dispatch);
        await _fx.SetTaskAsync(name, 0, t => TaskTransitions.Claim(t, "n1", "100", "0", _fx.Now + skew));
    }

    private Task BeatAsync(string name, TimeSpan skew) => _fx.SetTaskAsync(name, 0, t => t.Heartbeat = _fx.Now + skew);

    [Theory]
    [InlineData(-5)]
    [InlineData(5)]
    public async Task A_worker_whose_clock_is_5_minutes_off_is_not_lost_while_its_heartbeat_changes(int minutes)
    {
        var skew = TimeSpan.FromMinutes(minutes);
        await ClaimedAsync("beating", skew);
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromMinutes(4); elapsed += Interval)
        {
            await _fx.PassAsync("beating", _fx.Status);
            var task = _fx.State.Stored("beating", 0);
            Assert.True(task.State == TaskState.Running && task.Attempt == 1,
                $"{elapsed} after the claim (worker clock {minutes:+0;-0} min): {task.State}, attempt {task.Attempt}, {task.Reason}");
            _fx.Advance(Interval);
            await BeatAsync("beating", skew);
        }
    }

    [Theory]
    [InlineData(-5)]
    [InlineData(0)]
    [InlineData(5)]
    public async Task A_stopped_heartbeat_is_lost_after_StaleAfter_on_the_daemon_clock_whatever_the_worker_stamped(int minutes)
    {
        var skew = TimeSpan.FromMinutes(minutes);
        await ClaimedAsync("stopped", skew);
        for (var beat = 0; beat < 3; beat++)
        {
            await _fx.PassAsync("stopped", _fx.Status);
            Assert.Equal(TaskState.Running, _fx.State.Stored("stopped", 0).State);
            _fx.Advance(Interval);
            await BeatAsync("stopped", skew);
        }
        // The last beat is seen by this pass; from here on nothing changes, and passes come every 5 s.
        var lastSeen = _fx.Now;
        TimeSpan? lostAfter = null;
        while (lostAfter is null && _fx.Now - lastSeen < TimeSpan.FromMinutes(8))
        {
            await _fx.PassAsync("stopped", _fx.Status);
            if (_fx.State.Stored("stopped", 0).State != TaskState.Running)
            {
                lostAfter = _fx.Now - lastSeen;
            }
            _fx.Advance(Pass);
        }
        Assert.True(lostAfter is { } after && after > StaleAfter && after <= StaleAfter + Pass,
            $"worker clock {minutes:+0;-0} min: lost {lostAfter?.ToString() ?? "never"} after the last beat was seen; expected after StaleAfter ({StaleAfter}) and within one pass ({Pass}) of it");
        var lost = _fx.State.Stored("stopped", 0);
        Assert.Equal((TaskState.Pending, TaskVerdict.Retry), (lost.State, lost.Verdict));
        Assert.StartsWith("Lost", lost.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-5)]
    [InlineData(5)]
    public async Task A_retry_backoff_recorded_by_a_skewed_worker_is_waited_out_on_the_daemon_clock(int minutes)
    {
        var skew = TimeSpan.FromMinutes(minutes);
        var delay = TimeSpan.FromSeconds(10);
        await ClaimedAsync("backoff", skew, s => s.Retry = new RetrySpec { MaxAttempts = 3, Backoff = new BackoffSpec { Base = delay, Max = delay } });
        var job = (await _fx.State.GetJobAsync("backoff", default))!;
        await _fx.SetTaskAsync("backoff", 0, t => TaskTransitions.RecordEnd(t,
            AttemptResult.Failed(AttemptEndKind.HandlerExit, "exit code 1", "", 1), job.Spec.Retry, _fx.Now + skew));
        _fx.Scheduler.Drain();
        var failedAt = _fx.Now;
        TimeSpan? resubmittedAfter = null;
        while (resubmittedAfter is null && _fx.Now - failedAt < TimeSpan.FromMinutes(8))
        {
            await _fx.PassAsync("backoff", _fx.Dispatch);
            await _fx.PassAsync("backoff", _fx.Status);
            if (_fx.Scheduler.Submitted.Count > 1)
            {
                resubmittedAfter = _fx.Now - failedAt;
            }
            _fx.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.True(resubmittedAfter is { } after && after >= delay && after <= delay + TimeSpan.FromSeconds(2),
            $"worker clock {minutes:+0;-0} min: batch 0 resubmitted {resubmittedAfter?.ToString() ?? "never"} after its failure; expected its backoff of {delay} on the daemon's clock (+ two passes)");
    }

    [Fact]
    public async Task An_array_worker_5_minutes_behind_runs_the_batch_the_daemon_dispatched_after_its_backoff()
    {
        var delay = TimeSpan.FromSeconds(10);
        await _fx.StoredJobAsync("behind", 1, s => s.Retry = new RetrySpec { MaxAttempts = 3, Backoff = new BackoffSpec { Base = delay, Max = delay } });
        var job = (await _fx.State.GetJobAsync("behind", default))!;
        // Attempt 1 was declared lost by the daemon, on its clock: held for 10 s.
        await _fx.SetTaskAsync("behind", 0, t =>
        {
            TaskTransitions.Claim(t, "n1", "99", "0", _fx.Now);
            TaskTransitions.RecordEnd(t, AttemptResult.Failed(AttemptEndKind.Lost, "gone", ""), job.Spec.Retry, _fx.Now);
        });
        for (var step = 0; step < 14 && _fx.Scheduler.Submitted.Count == 0; step++)
        {
            await _fx.PassAsync("behind", _fx.Dispatch);
            await _fx.PassAsync("behind", _fx.Status);
            _fx.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Single(_fx.Scheduler.Submitted);

        var worker = new TaskWorker(_fx.State, _fx.Worker.Store, _fx.Options, _fx.Worker.WorkerOptions,
            new FakeTimeProvider(_fx.Now - TimeSpan.FromMinutes(5)), NullLogger<TaskWorker>.Instance);
        var outcome = await worker.RunAsync(job, 0, new WorkerIdentity("n1", "100", "0"), default, default);

        var task = _fx.State.Stored("behind", 0);
        Assert.True(outcome == TaskRunOutcome.Recorded && task.State == TaskState.Succeeded && task.Attempt == 2,
            $"the dispatched worker (clock 5 min behind) {outcome}: {task.State}, attempt {task.Attempt}, notBefore {task.NotBefore:O}");
    }

    [Fact]
    public async Task A_pilot_whose_clock_is_5_minutes_ahead_waits_out_a_backoff_before_claiming()
    {
        var fx = _fx.Worker;
        var recordedAt = new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);
        var job = await fx.SeedAsync(WorkerFixture.NewJob("pilot-ahead", "cat"), 1);
        // Attempt 1 failed at 10:00 on the recorder's clock, with a 1 min backoff.
        await _fx.SetTaskAsync("pilot-ahead", 0, t =>
        {
            t.Attempt = 1;
            t.FinishedAt = recordedAt;
            t.NotBefore = recordedAt + TimeSpan.FromMinutes(1);
            t.Reason = "HandlerExit: exit code 1; retry after 00:01:00";
            t.Verdict = TaskVerdict.Retry;
        });
        var clock = new FakeTimeProvider(recordedAt + TimeSpan.FromMinutes(5));
        var pilot = new PilotWorker(fx.State, fx.Worker(), clock, NullLogger<PilotWorker>.Instance);
        var run = pilot.RunAsync(job.Name, 0, 1, new WorkerIdentity("n", null, null), default, default);

        await Task.Delay(500);
        var early = _fx.State.Stored("pilot-ahead", 0);
        Assert.True(early.State == TaskState.Pending && early.Attempt == 1,
            $"a pilot whose clock is 5 min ahead claimed the batch at once, before its 1 min backoff: {early.State}, attempt {early.Attempt}");

        for (var waited = TimeSpan.Zero; !run.IsCompleted && waited < TimeSpan.FromMinutes(3); waited += TimeSpan.FromSeconds(5))
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(50);
        }
        Assert.Equal(1, await run.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal((TaskState.Succeeded, 2), (_fx.State.Stored("pilot-ahead", 0).State, _fx.State.Stored("pilot-ahead", 0).Attempt));
    }

}
