using Coordinator.Controllers.Tasks;
using Coordinator.Controllers.Tests.Dispatch;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Tests.Scheduling;

/// <summary>Task-stream images folded into the last full read: O(changed) refreshes, with full recounts to heal.</summary>
public sealed class TaskTallySourceEventTests : IDisposable
{
    private readonly ControllerFixture _fx = new();
    private readonly TaskEventLog _events = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public async Task A_stale_view_is_refreshed_from_task_events_without_reading_every_task_again()
    {
        var job = await _fx.StoredJobAsync("ev", 5);
        var source = new TaskTallySource(_fx.State, _fx.Scheduler, _fx.Options, _events);
        var first = await source.GetAsync(job, _fx.Now, _fx.Options.Dispatch.RescanInterval, default);
        Assert.Equal(5, first.Tally.Pending);

        await Succeed(1, viaEvent: true);
        await Succeed(2, viaEvent: false); // written but its event not delivered yet
        var later = _fx.Now + TimeSpan.FromSeconds(3);
        var second = await source.GetAsync(job, later, _fx.Options.Dispatch.RescanInterval, default);

        Assert.Equal((1L, 4L), (second.Tally.Succeeded, second.Tally.Pending));
        Assert.Equal(first.FullReadAt, second.FullReadAt);
        Assert.Equal(later, second.ReadAt);
    }

    [Fact]
    public async Task A_full_read_happens_when_asked_for_after_the_recount_interval_and_after_a_stream_gap()
    {
        var job = await _fx.StoredJobAsync("ev-full", 4);
        var source = new TaskTallySource(_fx.State, _fx.Scheduler, _fx.Options, _events);
        await source.GetAsync(job, _fx.Now, _fx.Options.Dispatch.RescanInterval, default);
        await Succeed(0, viaEvent: false, name: "ev-full");

        var asked = await source.GetAsync(job, _fx.Now + TimeSpan.FromSeconds(1), TimeSpan.Zero, default);
        Assert.Equal(1, asked.Tally.Succeeded);
        Assert.Equal(_fx.Now + TimeSpan.FromSeconds(1), asked.FullReadAt);

        await Succeed(1, viaEvent: false, name: "ev-full");
        var recount = _fx.Now + TimeSpan.FromSeconds(1) + _fx.Options.Dispatch.FullRecountInterval;
        Assert.Equal(2, (await source.GetAsync(job, recount, _fx.Options.Dispatch.RescanInterval, default)).Tally.Succeeded);

        await Succeed(2, viaEvent: false, name: "ev-full");
        _events.MarkGap();
        var afterGap = await source.GetAsync(job, recount + TimeSpan.FromSeconds(3), _fx.Options.Dispatch.RescanInterval, default);
        Assert.Equal(3, afterGap.Tally.Succeeded);
    }

    [Fact]
    public void Patch_keeps_the_newest_image_per_batch_and_ignores_older_or_other_generations()
    {
        JobTask T(int index, long version, TaskState state, long generation = 1) =>
            new() { Job = "p", Index = index, Version = version, State = state, Generation = generation };
        var read = new[] { T(0, 3, TaskState.Running), T(1, 1, TaskState.Pending) };
        var changed = new[] { T(0, 2, TaskState.Pending), T(1, 2, TaskState.Running), T(2, 1, TaskState.Pending), T(3, 9, TaskState.Failed, generation: 0) };

        var patched = TaskTallySource.Patch(read, changed, generation: 1);

        Assert.Equal(new[] { (0, 3L, TaskState.Running), (1, 2L, TaskState.Running), (2, 1L, TaskState.Pending) },
            patched.Select(t => (t.Index, t.Version, t.State)));
    }

    [Fact]
    public void The_event_log_keeps_the_newest_image_and_a_new_generation_beats_any_version()
    {
        _events.Watch("g"); // only watched jobs' images are kept (a job is watched from its full read on)
        _events.Record(new JobTask { Job = "g", Index = 0, Generation = 1, Version = 5, State = TaskState.Succeeded });
        _events.Record(new JobTask { Job = "g", Index = 0, Generation = 1, Version = 4, State = TaskState.Running });
        Assert.Equal(TaskState.Succeeded, Assert.Single(_events.Drain("g")).State);

        _events.Record(new JobTask { Job = "g", Index = 0, Generation = 1, Version = 5, State = TaskState.Succeeded });
        _events.Record(new JobTask { Job = "g", Index = 0, Generation = 2, Version = 1, State = TaskState.Pending });
        Assert.Equal(2, Assert.Single(_events.Drain("g")).Generation);
        Assert.Empty(_events.Drain("g"));
    }

    private async Task Succeed(int index, bool viaEvent, string name = "ev")
    {
        var task = (await _fx.State.GetTaskAsync(name, index, default))!;
        task.State = TaskState.Succeeded;
        task.OutputRecords = 3;
        task.Version = await _fx.State.UpdateTaskAsync(task, default);
        if (viaEvent)
        {
            _events.Record(_fx.State.Stored(name, index));
        }
    }
}
