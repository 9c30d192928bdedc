using Coordinator.Controllers.Ports;
using Coordinator.Scheduling.Local;

namespace Coordinator.Controllers.Tests.Scheduling;

/// <summary>
/// LocalScheduler keeps IScheduler's contract as the controllers use it: one task of an array is cancelled as
/// <c>{jobId}_{index}</c> (scancel's notation, what the status controller sends for a task found lost or replaced).
/// Real child processes (/bin/sh), no Slurm.
/// </summary>
public sealed class LocalSchedulerTests : IDisposable
{
    private readonly LocalScheduler _scheduler = new();
    private readonly string _logs = Directory.CreateTempSubdirectory("coord-local-").FullName;

    public void Dispose()
    {
        _scheduler.Dispose();
        Directory.Delete(_logs, recursive: true);
    }

    private SubmitRequest Request(string indexes, int? maxConcurrent, string script) => new()
    {
        JobName = "local-1",
        Token = "tok@0",
        ArrayIndexes = indexes,
        MaxConcurrent = maxConcurrent,
        Command = ["/bin/sh", "-c", script],
        LogDirectory = _logs,
    };

    private async Task<IReadOnlyDictionary<int, SchedulerTaskState>> StatesAsync(string id) =>
        (await _scheduler.ListAsync("local-1", default)).Single(j => j.JobId == id).Tasks.ToDictionary(t => t.ArrayIndex!.Value, t => t.State);

    private async Task<IReadOnlyDictionary<int, SchedulerTaskState>> WaitAsync(string id, Func<IReadOnlyDictionary<int, SchedulerTaskState>, bool> done)
    {
        var states = await StatesAsync(id);
        for (var deadline = DateTime.UtcNow.AddSeconds(10); !done(states) && DateTime.UtcNow < deadline; states = await StatesAsync(id))
        {
            await Task.Delay(50);
        }
        return states;
    }

    private static string Show(IReadOnlyDictionary<int, SchedulerTaskState> states) =>
        string.Join(", ", states.OrderBy(s => s.Key).Select(s => $"{s.Key}={s.Value}"));

    [Fact]
    public async Task Cancelling_one_running_task_of_an_array_stops_that_task_only()
    {
        var id = await _scheduler.SubmitAsync(Request("0-1", null, "sleep 30"), default);
        await WaitAsync(id, s => s.Values.All(v => v == SchedulerTaskState.Running));

        await _scheduler.CancelAsync($"{id}_1", default);

        var states = await WaitAsync(id, s => s[1] == SchedulerTaskState.Cancelled);
        Assert.True(states[1] == SchedulerTaskState.Cancelled && states[0] == SchedulerTaskState.Running, Show(states));
    }

    [Fact]
    public async Task Cancelling_one_pending_task_means_it_never_starts()
    {
        var marker = Path.Combine(_logs, "started-");
        var id = await _scheduler.SubmitAsync(Request("0-1", 1, $"touch {marker}$SLURM_ARRAY_TASK_ID; sleep 0.5"), default);
        await _scheduler.CancelAsync($"{id}_1", default);

        var states = await WaitAsync(id, s => s[0] == SchedulerTaskState.Completed);
        await Task.Delay(300);
        states = await StatesAsync(id);
        Assert.True(states[0] == SchedulerTaskState.Completed && states[1] == SchedulerTaskState.Cancelled, Show(states));
        Assert.False(File.Exists(marker + "1"), "the cancelled pending task was started");
    }

    [Fact]
    public async Task A_held_submission_starts_nothing_until_released_and_its_pending_tasks_say_held()
    {
        var id = await _scheduler.SubmitAsync(Request("0-2", 1, "sleep 0.2"), default);
        await _scheduler.HoldAsync(id, default);
        var listed = (await _scheduler.ListAsync("local-1", default)).Single();
        await Task.Delay(800);

        var held = await StatesAsync(id);
        Assert.True(held.Values.Count(v => v == SchedulerTaskState.Pending) >= 2, Show(held));
        Assert.Contains(listed.Tasks, t => t.State == SchedulerTaskState.Pending && t.Reason == "JobHeldUser");

        await _scheduler.ReleaseAsync(id, default);
        var released = await WaitAsync(id, s => s.Values.All(v => v == SchedulerTaskState.Completed));
        Assert.True(released.Values.All(v => v == SchedulerTaskState.Completed), Show(released));
    }
}
