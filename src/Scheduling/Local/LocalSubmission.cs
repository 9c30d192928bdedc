using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Ports;

namespace Coordinator.Scheduling.Local;

/// <summary>One LocalScheduler submission: its array tasks as child processes, throttled, holdable, cancellable.</summary>
internal sealed class LocalSubmission(string id, SubmitRequest request) : IDisposable
{
    private readonly ConcurrentDictionary<int, SchedulerTaskState> _states = new();
    private readonly ConcurrentDictionary<int, Process> _running = new();
    private readonly CancellationTokenSource _cancel = new();

    public SubmitRequest Request { get; } = request;
    public volatile int Throttle = request.MaxConcurrent ?? int.MaxValue;
    public volatile bool Held;

    public void Start()
    {
        foreach (var index in IndexRanges.Parse(Request.ArrayIndexes))
        {
            _states[index] = SchedulerTaskState.Pending;
        }
        _ = Task.Run(RunAsync);
    }

    public ScheduledJob Describe() => new(id, Request.JobName, Request.Token,
        [.. _states.OrderBy(s => s.Key).Select(s => new ScheduledTask(id, s.Key, s.Value, null))])
    {
        MaxConcurrent = Throttle == int.MaxValue ? null : Throttle,
    };

    public void Cancel()
    {
        _cancel.Cancel();
        foreach (var (index, process) in _running)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
            _states[index] = SchedulerTaskState.Cancelled;
        }
        foreach (var index in _states.Where(s => s.Value == SchedulerTaskState.Pending).Select(s => s.Key).ToList())
        {
            _states[index] = SchedulerTaskState.Cancelled;
        }
    }

    private async Task RunAsync()
    {
        var running = new List<Task>();
        foreach (var index in _states.Keys.Order().ToList())
        {
            while (!_cancel.IsCancellationRequested && (Held || running.Count(t => !t.IsCompleted) >= Throttle))
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
            if (_cancel.IsCancellationRequested)
            {
                break;
            }
            running.Add(RunTaskAsync(index));
        }
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task RunTaskAsync(int index)
    {
        var start = new ProcessStartInfo(Request.Command[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in Request.Command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        // Like sbatch --export=NONE: the task gets the request's environment only, nothing of the daemon's.
        start.Environment.Clear();
        foreach (var (name, value) in Request.Environment)
        {
            start.Environment[name] = value;
        }
        start.Environment["SLURM_ARRAY_JOB_ID"] = id;
        start.Environment["SLURM_ARRAY_TASK_ID"] = index.ToString(CultureInfo.InvariantCulture);
        Directory.CreateDirectory(Request.LogDirectory);
        _states[index] = SchedulerTaskState.Running;
        try
        {
            using var process = Process.Start(start)!;
            _running[index] = process;
            var stdout = CopyAsync(process.StandardOutput.BaseStream, WorkerLogs.Path(Request.LogDirectory, Request.JobName, id, index, "out"));
            var stderr = CopyAsync(process.StandardError.BaseStream, WorkerLogs.Path(Request.LogDirectory, Request.JobName, id, index, "err"));
            await process.WaitForExitAsync().ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
            _states[index] = _cancel.IsCancellationRequested ? SchedulerTaskState.Cancelled
                : process.ExitCode == 0 ? SchedulerTaskState.Completed : SchedulerTaskState.Failed;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            _states[index] = SchedulerTaskState.Failed;
        }
        finally
        {
            _running.TryRemove(index, out _);
        }
    }

    private static async Task CopyAsync(Stream source, string path)
    {
        await using var file = File.Create(path);
        await source.CopyToAsync(file).ConfigureAwait(false);
    }

    public void Dispose() => _cancel.Dispose();
}
