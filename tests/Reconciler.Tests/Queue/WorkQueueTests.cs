using Coordinator.Controllers.Metrics;
using Coordinator.Reconciler.Queue;
using Microsoft.Extensions.Time.Testing;

namespace Coordinator.Reconciler.Tests.Queue;

public sealed class WorkQueueTests
{
    [Fact]
    public async Task A_key_added_twice_before_it_is_taken_is_queued_once()
    {
        using var queue = NewQueue(out _);
        queue.Add("a");
        queue.Add("a");
        queue.Add("b");

        Assert.Equal(2, queue.Length);
        Assert.Equal("a", (await queue.GetAsync(default)).Key);
        Assert.Equal("b", (await queue.GetAsync(default)).Key);
        Assert.Equal(0, queue.Length);
    }

    [Fact]
    public async Task A_key_added_while_processing_is_not_handed_out_until_done_and_then_runs_again()
    {
        using var queue = NewQueue(out _);
        queue.Add("a");
        var (_, key) = await queue.GetAsync(default);

        queue.Add("a");
        queue.Add("a");
        Assert.Equal(0, queue.Length);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        Assert.False((await queue.GetAsync(timeout.Token)).Ok);

        queue.Done(key);
        Assert.Equal(1, queue.Length);
        Assert.Equal("a", (await queue.GetAsync(default)).Key);
    }

    [Fact]
    public async Task AddAfter_holds_the_key_until_the_delay_passes_and_the_earliest_deadline_wins()
    {
        using var queue = NewQueue(out var time);
        queue.AddAfter("a", TimeSpan.FromSeconds(10));
        queue.AddAfter("a", TimeSpan.FromSeconds(3));
        queue.AddAfter("a", TimeSpan.FromSeconds(20));

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, queue.Length);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, queue.Length);
        Assert.Equal("a", (await queue.GetAsync(default)).Key);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, queue.Length);
    }

    [Fact]
    public void AddRateLimited_backs_off_exponentially_per_key_and_Forget_starts_over()
    {
        using var queue = NewQueue(out var time);
        queue.AddRateLimited("a");
        time.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(1, queue.Length);
        Drain(queue);

        queue.AddRateLimited("a");
        queue.AddRateLimited("b");
        time.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(1, queue.Length); // b after 5 ms; a needs 10 ms now
        time.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(2, queue.Length);
        Assert.Equal(2, queue.NumRequeues("a"));

        queue.Forget("a");
        Assert.Equal(0, queue.NumRequeues("a"));
    }

    [Fact]
    public async Task ShutDown_stops_handing_out_keys_and_waits_for_in_flight_work()
    {
        using var queue = NewQueue(out _);
        queue.Add("a");
        queue.Add("b");
        var (_, key) = await queue.GetAsync(default);

        var shutdown = queue.ShutDownAsync(TimeSpan.FromSeconds(10));
        Assert.False(shutdown.IsCompleted);
        Assert.False((await queue.GetAsync(default)).Ok);
        queue.Add("c");
        queue.Done(key);

        Assert.True(await shutdown);
        Assert.Equal(1, queue.Length); // b was never handed out; c was refused
    }

    [Fact]
    public async Task ShutDown_reports_a_drain_that_does_not_finish_in_time()
    {
        using var queue = new WorkQueue<string>(new ExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1)), CoordinatorMetrics.NoOp());
        queue.Add("a");
        await queue.GetAsync(default);

        Assert.False(await queue.ShutDownAsync(TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public async Task A_waiting_taker_is_woken_by_an_add()
    {
        using var queue = NewQueue(out _);
        var taking = queue.GetAsync(default);
        Assert.False(taking.IsCompleted);

        queue.Add("late");

        Assert.Equal("late", (await taking.WaitAsync(TimeSpan.FromSeconds(5))).Key);
    }

    private static WorkQueue<string> NewQueue(out FakeTimeProvider time)
    {
        time = new FakeTimeProvider();
        return new WorkQueue<string>(new ExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000)), CoordinatorMetrics.NoOp(), time);
    }

    private static void Drain(WorkQueue<string> queue)
    {
        while (queue.Length > 0)
        {
            var (_, key) = queue.GetAsync(default).GetAwaiter().GetResult();
            queue.Done(key);
        }
    }
}
