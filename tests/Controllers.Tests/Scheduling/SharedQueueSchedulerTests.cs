using Coordinator.Controllers.Cleanup;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Tasks;
using Coordinator.Controllers.Tests.Dispatch;
using Coordinator.Model.Spec;
using Coordinator.Scheduling.Shared;
using Coordinator.Testing.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Controllers.Tests.Scheduling;

/// <summary>
/// One squeue for the whole deployment per pass: every job's in-flight view and the outstanding-task budget come from
/// one shared listing with a short lifetime, taken again after this daemon submits or cancels.
/// </summary>
public sealed class SharedQueueSchedulerTests : IDisposable
{
    private readonly ControllerFixture _fx = new();
    private readonly SteppedClock _clock = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public async Task One_squeue_serves_every_jobs_view_until_this_daemon_submits_or_cancels_or_it_ages()
    {
        var shared = new SharedQueueScheduler(_fx.Scheduler, _clock, TimeSpan.FromSeconds(1));
        var source = new TaskTallySource(_fx.State, shared, _fx.Options);
        var jobs = new List<Job>();
        for (var i = 0; i < 8; i++)
        {
            jobs.Add(await _fx.StoredJobAsync($"q{i}", 3));
        }
        foreach (var job in jobs)
        {
            await source.GetAsync(job, _fx.Now, TimeSpan.Zero, default);
        }
        Assert.Equal(1, _fx.Scheduler.Listings);

        var id = await shared.SubmitAsync(SubmitRequests.For(["w"], new Dictionary<string, string>(), jobName: "q0", token: "t@0"), default);
        Assert.Contains(await shared.ListAsync("q0", default), j => j.JobId == id);
        Assert.Equal(2, _fx.Scheduler.Listings);

        await shared.CancelAsync(id, default);
        Assert.DoesNotContain(await shared.ListAsync(null, default), j => j.JobId == id);
        Assert.Equal(3, _fx.Scheduler.Listings);

        _clock.Advance(TimeSpan.FromSeconds(1.1));
        await shared.ListAsync("q3", default);
        await shared.ListAsync("q4", default);
        Assert.Equal(4, _fx.Scheduler.Listings);
    }

    [Fact]
    public async Task A_pass_over_N_running_jobs_costs_one_squeue()
    {
        var shared = new SharedQueueScheduler(_fx.Scheduler, _clock, TimeSpan.FromSeconds(1));
        var source = new TaskTallySource(_fx.State, shared, _fx.Options);
        var dispatch = new DispatchController(shared, source, _fx.Options, NullLogger<DispatchController>.Instance, _fx.Outage);
        var status = new StatusController(shared, _fx.State, source, new JobCleanup(_fx.State, _fx.Worker.Store, _fx.Options),
            NullLogger<StatusController>.Instance, _fx.Outage, CoordinatorMetrics.NoOp(), _fx.Options);
        const int Jobs = 6;
        for (var i = 0; i < Jobs; i++)
        {
            await _fx.StoredJobAsync($"n{i}", 4);
        }
        await PassAllAsync(Jobs, dispatch, status); // dispatches every job
        Assert.Equal(Jobs, _fx.Scheduler.Submitted.Count);

        _fx.Now += TimeSpan.FromSeconds(3);
        _clock.Advance(TimeSpan.FromSeconds(3));
        var before = _fx.Scheduler.Listings;
        await PassAllAsync(Jobs, dispatch, status);
        Assert.Equal(Jobs, _fx.Scheduler.Submitted.Count);
        Assert.Equal(1, _fx.Scheduler.Listings - before);
    }

    private async Task PassAllAsync(int jobs, DispatchController dispatch, StatusController status)
    {
        for (var i = 0; i < jobs; i++)
        {
            var job = (await _fx.State.GetJobAsync($"n{i}", default))!;
            var context = new Coordinator.Controllers.Pipeline.JobContext(job, _fx.Now, _fx.State.UpdateJobStatusAsync);
            await dispatch.ReconcileAsync(context, default);
            await status.ReconcileAsync(context, default);
            await context.SaveStatusAsync(default);
        }
    }

    /// <summary>A clock whose wall time and monotonic timestamp move only when told.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private TimeSpan _elapsed;

        public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero) + _elapsed;

        public override long GetTimestamp() => (long)(_elapsed.TotalSeconds * TimestampFrequency);

        public void Advance(TimeSpan by) => _elapsed += by;
    }
}
