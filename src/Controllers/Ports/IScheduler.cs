namespace Coordinator.Controllers.Ports;

/// <summary>One submission: an array of worker tasks for one job.</summary>
public sealed class SubmitRequest
{
    /// <summary>Slurm job name: carries the coordinator job name.</summary>
    public required string JobName { get; init; }
    /// <summary>Dispatch token; goes into --comment so a restarted daemon can find the submission.</summary>
    public required string Token { get; init; }
    /// <summary>Array range string, e.g. "0-99,105".</summary>
    public required string ArrayIndexes { get; init; }
    public int? MaxConcurrent { get; init; }
    /// <summary>argv each array task runs (e.g. coordinator worker --job X --index-from-env).</summary>
    public required IReadOnlyList<string> Command { get; init; }
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public string? Partition { get; init; }
    public int CpusPerTask { get; init; } = 1;
    public string? Memory { get; init; }
    public string? TimeLimit { get; init; }
    public string? Gres { get; init; }
    public string? Account { get; init; }
    public string? Qos { get; init; }
    public required string LogDirectory { get; init; }
}

public enum SchedulerTaskState { Pending, Running, Completed, Failed, Cancelled, Timeout, Preempted, NodeFail, OutOfMemory, Unknown }

/// <summary>What the scheduler says about one array task.</summary>
public sealed record ScheduledTask(string JobId, int? ArrayIndex, SchedulerTaskState State, string? Reason)
{
    /// <summary>The node it runs or ran on, when the scheduler says (squeue's "nodes"; none while pending).</summary>
    public string? Node { get; init; }
}

/// <summary>One submission as the scheduler lists it.</summary>
public sealed record ScheduledJob(string JobId, string Name, string? Comment, IReadOnlyList<ScheduledTask> Tasks)
{
    /// <summary>The array's %N throttle as the scheduler reports it; null when unknown or unthrottled.</summary>
    public int? MaxConcurrent { get; init; }
}

/// <summary>Scheduler port. Adapters: SlurmScheduler (sbatch/squeue/scontrol/scancel) and LocalScheduler.</summary>
public interface IScheduler
{
    Task<string> SubmitAsync(SubmitRequest request, CancellationToken ct);
    /// <summary>Live submissions whose name is <paramref name="jobName"/> (all of them when null).</summary>
    Task<IReadOnlyList<ScheduledJob>> ListAsync(string? jobName, CancellationToken ct);
    /// <summary>Cancels a submission, or one task of an array as <c>{jobId}_{index}</c> (scancel's own notation).</summary>
    Task CancelAsync(string jobId, CancellationToken ct);
    Task UpdateThrottleAsync(string jobId, int maxConcurrent, CancellationToken ct);
    /// <summary>Hold the pending tasks of a submission (suspend): running tasks go on, nothing new starts.</summary>
    Task HoldAsync(string jobId, CancellationToken ct);
    /// <summary>Release a held submission (resume).</summary>
    Task ReleaseAsync(string jobId, CancellationToken ct);
    /// <summary>The largest array index + 1 a submission may have (Slurm's MaxArraySize).</summary>
    Task<int> GetMaxArraySizeAsync(CancellationToken ct);
}
