using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Tasks;
using Coordinator.Model.Tasks;
using Microsoft.Extensions.Time.Testing;

namespace Coordinator.Controllers.Tests.Tasks;

public sealed class TaskWatchTests
{
    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(90);
    private readonly FakeTimeProvider _clock = new();

    private static JobTask Running(string job, int index, long version) =>
        new() { Job = job, Index = index, Generation = 1, Attempt = 1, Version = version, State = TaskState.Running, Heartbeat = DateTimeOffset.UnixEpoch };

    [Fact]
    public void An_item_is_unchanged_from_when_it_was_first_seen_and_every_write_starts_the_wait_again()
    {
        var watch = new TaskWatch(_clock);
        Assert.Equal(TimeSpan.Zero, watch.Unchanged(Running("w", 0, 5)));
        _clock.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal(TimeSpan.FromSeconds(40), watch.Unchanged(Running("w", 0, 5)));
        Assert.Equal(TimeSpan.Zero, watch.Unchanged(Running("w", 0, 6)));
        _clock.Advance(TimeSpan.FromSeconds(1));
        var reclaimed = Running("w", 0, 6);
        reclaimed.Attempt = 2;
        Assert.Equal(TimeSpan.Zero, watch.Unchanged(reclaimed));
        var regenerated = Running("w", 0, 6);
        regenerated.Generation = 2;
        Assert.Equal(TimeSpan.Zero, watch.Unchanged(regenerated));
    }

    [Fact]
    public void Entries_go_when_their_attempt_ends_and_a_finished_job_keeps_none()
    {
        var watch = new TaskWatch(_clock);
        TaskTally.From([Running("a", 0, 1), Running("a", 1, 1), Running("b", 0, 1)], new InFlight(), watch, StaleAfter, arrayMode: false);
        Assert.Equal(3, watch.Count);

        var done = Running("a", 0, 2);
        done.State = TaskState.Succeeded;
        var retrying = Running("a", 1, 2);
        retrying.State = TaskState.Pending;
        TaskTally.From([done, retrying], new InFlight(), watch, StaleAfter, arrayMode: false);
        Assert.Equal(1, watch.Count);

        watch.Forget("b");
        Assert.Equal(0, watch.Count);
    }

    [Fact]
    public void A_held_batch_is_due_after_its_delay_on_this_clock_whatever_its_stamps_say()
    {
        var watch = new TaskWatch(_clock);
        var held = new JobTask
        {
            Job = "h", Index = 0, Generation = 1, Attempt = 1, Version = 3, State = TaskState.Pending,
            FinishedAt = DateTimeOffset.UnixEpoch, NotBefore = DateTimeOffset.UnixEpoch + TimeSpan.FromSeconds(10),
        };
        var first = TaskTally.From([held], new InFlight(), watch, StaleAfter, arrayMode: true);
        Assert.Equal((0, 0, TimeSpan.FromSeconds(10)), (first.Ready.Count, first.Due.Count, first.NextRelease!.Value));
        _clock.Advance(TimeSpan.FromSeconds(10));
        var due = TaskTally.From([held], new InFlight(), watch, StaleAfter, arrayMode: true);
        Assert.Equal((0, 1), (due.Ready.Count, due.Due.Count));
    }
}
