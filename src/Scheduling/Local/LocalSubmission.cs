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
    private readonly ConcurrentDictionary<int, byte> _cancelled = new();
    private readonly CancellationTokenSource _cancel = new();
    private readonly Lock _gate = new();

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

    /// <summary>As squeue shows it: held pending tasks carry Slurm's reason JobHeldUser, running ones this host as their node.</summary>
    public ScheduledJob Describe() => new(id, Request.JobName, Request.Token,
        [.. _states.OrderBy(s => s.Key).Select(s => new ScheduledTask(id, s.Key, s.Value,
            s.Value == SchedulerTaskState.Pending && Held ? "JobHeldUser" : null)
        {
            Node = s.Value == SchedulerTaskState.Running ? Environment.MachineName : null,
        })])
    {
        MaxConcurrent = Throttle == int.MaxValue ? null : Throttle,
    };

    /// <summary>True once every task has ended (nothing pending or running).</summary>
    public bool Ended => _states.Values.All(s => s is not (SchedulerTaskState.Pending or SchedulerTaskState.Running));

    /// <summary>When <see cref="Ended"/> was first seen true (monotonic ticks), for the listing's MinJobAge.</summary>
    public long? EndedAt { get; set; }

    /// <summary>Cancels the whole submission: pending tasks never start, running ones are killed with their children.</summary>
    public void Cancel()
    {
        _cancel.Cancel();
        foreach (var index in _states.Keys.ToList())
        {
            CancelTask(index);
        }
    }

    /// <summary>Cancels one task (scancel {jobId}_{index}); an index not in this submission, or ended, is left alone.</summary>
    public void CancelTask(int index)
    {
        lock (_gate)
        {
            if (!_states.TryGetValue(index, out var state) || state is not (SchedulerTaskState.Pending or SchedulerTaskState.Running))
            {
                return;
            }
            _cancelled.TryAdd(index, 0);
            _states[index] = SchedulerTaskState.Cancelled;
        }
        if (_running.TryGetValue(index, out var process))
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
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
            if (!_cancelled.ContainsKey(index))
            {
                running.Add(RunTaskAsync(index));
            }
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
        try
        {
            Process process;
            lock (_gate)
            {
                // A cancel between the loop's check and here wins: the task never starts.
                if (_cancelled.ContainsKey(index))
                {
                    return;
                }
                _states[index] = SchedulerTaskState.Running;
                process = Process.Start(start)!;
                _running[index] = process;
            }
            using var started = process;
            var stdout = CopyAsync(process.StandardOutput.BaseStream, WorkerLogs.Path(Request.LogDirectory, Request.JobName, id, index, "out"));
            var stderr = CopyAsync(process.StandardError.BaseStream, WorkerLogs.Path(Request.LogDirectory, Request.JobName, id, index, "err"));
            await process.WaitForExitAsync().ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
            lock (_gate)
            {
                _states[index] = _cancelled.ContainsKey(index) ? SchedulerTaskState.Cancelled
                    : process.ExitCode == 0 ? SchedulerTaskState.Completed : SchedulerTaskState.Failed;
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            lock (_gate)
            {
                _states[index] = _cancelled.ContainsKey(index) ? SchedulerTaskState.Cancelled : SchedulerTaskState.Failed;
            }
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
