using Coordinator.Controllers.Metrics;
using Coordinator.Model.Status;
using Coordinator.Reconciler.Feed;
using Coordinator.Reconciler.Queue;
using Coordinator.Reconciler.Reconcile;
using Coordinator.Reconciler.Tests.Reconcile;
using Coordinator.Testing.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Coordinator.Reconciler.Tests.Feed;

public sealed class ExpirySweepTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 5, 0, 0, TimeSpan.Zero));
    private readonly InMemoryStateStore _store = new();

    [Fact]
    public async Task A_sweep_enqueues_exactly_the_finished_jobs_whose_expiry_has_passed()
    {
        Seed("due", JobPhase.Succeeded, _time.GetUtcNow().AddSeconds(-1));
        Seed("due-now", JobPhase.Cancelled, _time.GetUtcNow());
        Seed("later", JobPhase.Failed, _time.GetUtcNow().AddSeconds(30));
        Seed("no-ttl", JobPhase.Succeeded, null);
        using var queue = new WorkQueue<JobKey>(new ExponentialFailureRateLimiter<JobKey>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1)), CoordinatorMetrics.NoOp(), _time);

        var due = await new ExpirySweep(_store, new FeedOptions(), NullLogger.Instance, _time).SweepOnceAsync(queue, default);

        Assert.Equal(2, due);
        Assert.Equal(["due", "due-now"], Drain(queue).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_sweep_runs_at_the_start_and_then_every_interval_until_cancelled()
    {
        Seed("later", JobPhase.Succeeded, _time.GetUtcNow().AddSeconds(40));
        using var queue = new WorkQueue<JobKey>(new ExponentialFailureRateLimiter<JobKey>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1)), CoordinatorMetrics.NoOp(), _time);
        using var stop = new CancellationTokenSource();
        var running = new ExpirySweep(_store, new FeedOptions { ExpirySweepInterval = TimeSpan.FromSeconds(30) }, NullLogger.Instance, _time).RunAsync(queue, stop.Token);

        await WaitUntilAsync(() => _time.GetUtcNow() is var _ && queue.Length == 0);
        _time.Advance(TimeSpan.FromSeconds(30));
        await Task.Delay(50);
        Assert.Equal(0, queue.Length); // 30 s: not due yet
        _time.Advance(TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => queue.Length == 1);

        await stop.CancelAsync();
        await running;
        Assert.Equal(["later"], Drain(queue));
    }

    private void Seed(string name, JobPhase phase, DateTimeOffset? expiresAt)
    {
        var job = JobReconcilerTests.ValidJob(name);
        job.Version = 3;
        job.Generation = 1;
        job.Status = new JobStatus { Phase = phase, CompletedAt = _time.GetUtcNow().AddMinutes(-1), ExpiresAt = expiresAt };
        _store.Seed(job);
    }

    private static List<string> Drain(WorkQueue<JobKey> queue)
    {
        var names = new List<string>();
        while (queue.Length > 0)
        {
            var (_, key) = queue.GetAsync(default).GetAwaiter().GetResult();
            names.Add(key.Name);
            queue.Done(key);
        }
        return names;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition());
    }
}
