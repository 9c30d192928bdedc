using Coordinator.Controllers.Tasks;
using Coordinator.Model.Spec;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Tests.Dispatch;

/// <summary>
/// Issue 15, the paused array element: a worker paused (SIGSTOP) keeps its Slurm array element RUNNING after its task
/// was judged lost, and dispatch never resubmits a batch Slurm still runs, so the rerun waited forever. Judging the task
/// lost now cancels exactly that element, and the batch is resubmitted once its backoff has passed.
/// </summary>
public sealed class PausedElementTests : IDisposable
{
    private readonly ControllerFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public async Task A_task_lost_while_its_array_element_is_still_listed_has_exactly_that_element_cancelled_and_is_resubmitted()
    {
        await _fx.StoredJobAsync("paused", 2);
        await _fx.PassAsync("paused", _fx.Dispatch);
        await _fx.SetTaskAsync("paused", 1, t => TaskTransitions.Claim(t, "n1", "100", "1", _fx.Now));
        await _fx.PassAsync("paused", _fx.Status);
        _fx.Advance(_fx.Options.Heartbeat.StaleAfter + TimeSpan.FromMilliseconds(1));

        await _fx.PassAsync("paused", _fx.Status);

        Assert.StartsWith("Lost", _fx.State.Stored("paused", 1).Reason, StringComparison.Ordinal);
        Assert.Equal(["cancel 100_1"], _fx.Scheduler.Calls.Where(c => c.StartsWith("cancel", StringComparison.Ordinal)));
        _fx.Advance(TimeSpan.FromMinutes(11)); // past any backoff
        await _fx.PassAsync("paused", _fx.Status);
        await _fx.PassAsync("paused", _fx.Dispatch);
        Assert.Equal(["0-1", "1"], _fx.Scheduler.Submitted.Select(s => s.Request.ArrayIndexes));
    }

    [Fact]
    public async Task A_lost_pilot_task_cancels_nothing()
    {
        await _fx.StoredJobAsync("pilot", 2, s => { s.Dispatch.Mode = DispatchMode.Pilot; s.Dispatch.Workers = 1; });
        await _fx.PassAsync("pilot", _fx.Dispatch);
        await _fx.SetTaskAsync("pilot", 1, t => TaskTransitions.Claim(t, "n1", "100", "0", _fx.Now));
        await _fx.PassAsync("pilot", _fx.Status);
        _fx.Advance(_fx.Options.Heartbeat.StaleAfter + TimeSpan.FromMilliseconds(1));

        await _fx.PassAsync("pilot", _fx.Status);

        Assert.Equal(TaskState.Pending, _fx.State.Stored("pilot", 1).State);
        Assert.DoesNotContain(_fx.Scheduler.Calls, c => c.StartsWith("cancel", StringComparison.Ordinal));
    }
}
