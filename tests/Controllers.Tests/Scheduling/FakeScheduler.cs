using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Ports;

namespace Coordinator.Controllers.Tests.Scheduling;

/// <summary>
/// Unit-test scheduler: records every call and lists what was submitted as live until told otherwise. The real
/// Slurm adapter is tested against Slurm in Integration.Tests/Slurm.
/// </summary>
internal sealed class FakeScheduler : IScheduler
{
    private int _next = 100;
    public List<(string Id, SubmitRequest Request)> Submitted { get; } = [];
    public List<ScheduledJob> Live { get; } = [];
    public List<string> Calls { get; } = [];
    public int MaxArraySize { get; set; } = 1001;
    /// <summary>Checked at sbatch time: lets a test assert the intent was saved first.</summary>
    public Func<SubmitRequest, Task>? OnSubmit { get; set; }
    /// <summary>When set, every call throws it, as the real adapter does once its retries give up (slurmctld stopped).</summary>
    public SchedulerException? Down { get; set; }
    /// <summary>Calls refused because of <see cref="Down"/>.</summary>
    public int Refused { get; private set; }

    private void ThrowIfDown()
    {
        if (Down is not null)
        {
            Refused++;
            throw Down;
        }
    }

    /// <summary>squeue calls (<see cref="ListAsync"/>), whatever their job name.</summary>
    public int Listings { get; private set; }

    public async Task<string> SubmitAsync(SubmitRequest request, CancellationToken ct)
    {
        ThrowIfDown();
        if (OnSubmit is not null)
        {
            await OnSubmit(request);
        }
        lock (Live)
        {
            var id = (_next++).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Submitted.Add((id, request));
            Live.Add(new ScheduledJob(id, request.JobName, request.Token,
                [.. IndexRanges.Parse(request.ArrayIndexes).Select(i => new ScheduledTask(id, i, SchedulerTaskState.Pending, null))])
            {
                MaxConcurrent = request.MaxConcurrent,
            });
            return id;
        }
    }

    public Task<IReadOnlyList<ScheduledJob>> ListAsync(string? jobName, CancellationToken ct)
    {
        ThrowIfDown();
        lock (Live)
        {
            Listings++;
            return Task.FromResult<IReadOnlyList<ScheduledJob>>([.. Live.Where(j => jobName is null || j.Name == jobName)]);
        }
    }

    /// <summary>What is live now, read under the fake's lock (passes may run concurrently).</summary>
    public IReadOnlyList<ScheduledJob> Snapshot()
    {
        lock (Live)
        {
            return [.. Live];
        }
    }

    public Task CancelAsync(string jobId, CancellationToken ct)
    {
        ThrowIfDown();
        lock (Live)
        {
            Calls.Add($"cancel {jobId}");
            Live.RemoveAll(j => j.JobId == jobId);
            // One array task, "{jobId}_{index}", as scancel takes it: that task ends, the rest of the array goes on.
            if (jobId.Split('_') is [var array, var element] && int.TryParse(element, System.Globalization.CultureInfo.InvariantCulture, out var index))
            {
                for (var i = 0; i < Live.Count; i++)
                {
                    if (Live[i].JobId == array)
                    {
                        Live[i] = Live[i] with { Tasks = [.. Live[i].Tasks.Select(t => t.ArrayIndex == index ? t with { State = SchedulerTaskState.Cancelled } : t)] };
                    }
                }
            }
        }
        return Task.CompletedTask;
    }

    public Task UpdateThrottleAsync(string jobId, int maxConcurrent, CancellationToken ct)
    {
        ThrowIfDown();
        Calls.Add($"throttle {jobId} {maxConcurrent}");
        return Task.CompletedTask;
    }

    public Task HoldAsync(string jobId, CancellationToken ct)
    {
        ThrowIfDown();
        Calls.Add($"hold {jobId}");
        return Task.CompletedTask;
    }

    public Task ReleaseAsync(string jobId, CancellationToken ct)
    {
        ThrowIfDown();
        Calls.Add($"release {jobId}");
        return Task.CompletedTask;
    }

    public Task<int> GetMaxArraySizeAsync(CancellationToken ct) => Task.FromResult(MaxArraySize);

    /// <summary>Slurm finished everything: nothing is live any more.</summary>
    public void Drain() => Live.Clear();

    /// <summary>
    /// Every live task ends as <paramref name="state"/> on <paramref name="node"/> and stays listed, as squeue lists
    /// ended jobs for MinJobAge.
    /// </summary>
    public void End(string node, SchedulerTaskState state = SchedulerTaskState.Failed)
    {
        lock (Live)
        {
            for (var i = 0; i < Live.Count; i++)
            {
                Live[i] = Live[i] with { Tasks = [.. Live[i].Tasks.Select(t => InFlight.IsLive(t.State) ? t with { State = state, Node = node } : t)] };
            }
        }
    }
}
