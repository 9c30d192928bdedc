using System.Diagnostics;
using Coordinator.Model.Tasks;
using Coordinator.Worker;

namespace Coordinator.Controllers.Tests.Worker;

/// <summary>
/// Issue 15, path 4: a handler that leaves a descendant behind (a background child, or one in a session of its own)
/// holding its stdout/stderr must not hang its worker. Real shell handlers and real processes; the leftover is found
/// afterwards by a marker in its command line.
/// </summary>
public sealed class HandlerLeftoverTests : IDisposable
{
    private static readonly WorkerIdentity Here = new("node1", "77", "0");
    private readonly WorkerFixture _fx = new();
    private readonly string _marker = "stall-marker-" + Guid.NewGuid().ToString("N");

    public void Dispose() => _fx.Dispose();

    [Theory]
    [InlineData("background", "")]
    [InlineData("setsid", "setsid ")]
    public async Task A_handler_that_leaves_a_child_behind_finishes_in_seconds_and_leaves_no_process(string name, string prefix)
    {
        var script = $"{prefix}python3 -c 'import time; time.sleep(600)' {_marker} & cat";
        var job = await _fx.SeedAsync(WorkerFixture.NewJob("leftover-" + name, "sh", "-c", script), 1);
        var clock = Stopwatch.StartNew();
        var run = _fx.Worker().RunAsync(job, 0, Here, default, default);
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))) == run;
        var leftovers = ProcessesWithMarker(_marker);
        KillAll(leftovers);
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(finished, $"the worker still waited {clock.Elapsed.TotalSeconds:F0} s after its handler exited; leftovers: {string.Join(", ", leftovers)}");
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(15));
        var task = _fx.State.Stored(job.Name, 0);
        Assert.Equal((TaskState.Succeeded, 3L), (task.State, task.OutputRecords));
        Assert.Empty(leftovers);
    }

    [Fact]
    public async Task A_child_that_leaves_the_session_and_clears_its_environment_holds_the_worker_only_for_the_pipe_drain_timeout()
    {
        _fx.WorkerOptions.PipeDrainTimeout = TimeSpan.FromSeconds(1);
        // sleep 1: the child must have left the session before the handler ends, or it is stopped with the session.
        var script = $"env -i setsid python3 -c 'import time; time.sleep(600)' {_marker} & sleep 1; cat";
        var job = await _fx.SeedAsync(WorkerFixture.NewJob("leftover-hidden", "sh", "-c", script), 1);
        var clock = Stopwatch.StartNew();
        var run = _fx.Worker().RunAsync(job, 0, Here, default, default);
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))) == run;
        KillAll(ProcessesWithMarker(_marker));
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(finished, $"the worker still waited {clock.Elapsed.TotalSeconds:F0} s after its handler exited");
        var task = _fx.State.Stored(job.Name, 0);
        Assert.Equal((TaskState.Succeeded, 3L), (task.State, task.OutputRecords));
        Assert.Contains("were still open 1s after it ended", task.StderrTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_timeout_a_child_that_left_the_session_and_cleared_its_environment_is_stopped_with_its_parent()
    {
        _fx.WorkerOptions.KillGrace = TimeSpan.FromSeconds(1);
        var script = $"env -i setsid python3 -c 'import time; time.sleep(600)' {_marker} & sleep 600";
        var job = WorkerFixture.NewJob("leftover-timeout", "sh", "-c", script);
        job.Spec.Handler.Timeout = TimeSpan.FromSeconds(1);
        job.Spec.Retry.MaxAttempts = 1;
        job = await _fx.SeedAsync(job, 1);
        var clock = Stopwatch.StartNew();
        var run = _fx.Worker().RunAsync(job, 0, Here, default, default);
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))) == run;
        var leftovers = ProcessesWithMarker(_marker);
        KillAll(leftovers);
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(finished, $"the worker still waited {clock.Elapsed.TotalSeconds:F0} s after its handler timed out");
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        var task = _fx.State.Stored(job.Name, 0);
        Assert.Equal(TaskState.Failed, task.State);
        Assert.StartsWith("Timeout", task.Reason, StringComparison.Ordinal);
        Assert.Empty(leftovers);
    }

    private static void KillAll(IEnumerable<int> pids)
    {
        foreach (var pid in pids)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (ArgumentException)
            {
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    /// <summary>Live (non-zombie) processes whose command line holds <paramref name="marker"/>.</summary>
    internal static List<int> ProcessesWithMarker(string marker)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains(marker, StringComparison.Ordinal) && !cmdline.Contains("sh -c", StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }
}
