namespace Coordinator.Model.Tasks;

public enum TaskState { Pending, Dispatched, Running, Succeeded, Failed, Ignored }

/// <summary>
/// The write-friendly record of one batch (named JobTask to avoid clashing with System.Threading.Tasks.Task).
/// Key: (Job, Index). Every write is conditional on <see cref="Version"/>.
/// </summary>
public sealed class JobTask
{
    public string Job { get; set; } = "";
    public long Generation { get; set; }
    public int Index { get; set; }
    public TaskState State { get; set; } = TaskState.Pending;
    public int Attempt { get; set; }
    public string? SlurmJobId { get; set; }
    public string? SlurmArrayTaskId { get; set; }
    public string? DispatchToken { get; set; }
    public string? Host { get; set; }
    public DateTimeOffset? Heartbeat { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    /// <summary>Earliest time a retry may be dispatched (backoff).</summary>
    public DateTimeOffset? NotBefore { get; set; }
    public string InputKey { get; set; } = "";
    public string InputSha256 { get; set; } = "";
    public string? ResultKey { get; set; }
    public string? ResultSha256 { get; set; }
    /// <summary>The result object's ETag (S3) or version token (file://) as its worker committed it.</summary>
    public string? ResultETag { get; set; }
    public long InputRecords { get; set; }
    public long? OutputRecords { get; set; }
    /// <summary>Records the handler rejected ($COORDINATOR_REJECTS) in the attempt that succeeded.</summary>
    public long? RejectedRecords { get; set; }
    /// <summary>That attempt's rejects object ({"record":…, "reason":"…"} lines), when it rejected any.</summary>
    public string? RejectsKey { get; set; }
    public string? RejectsSha256 { get; set; }
    public int? ExitCode { get; set; }
    public string? StderrTail { get; set; }
    /// <summary>Why the last attempt ended as it did (e.g. HandlerExit, Timeout, Lost, Disrupted, ChecksumMismatch).</summary>
    public string? Reason { get; set; }
    /// <summary>The retry policy's decision on the last attempt; what the daemon acts on (the Reason is for people).</summary>
    public TaskVerdict Verdict { get; set; }
    /// <summary>
    /// Slurm submissions of this batch since its last claim that ended without any worker claiming it (the worker
    /// never started: executable missing on the node, no credentials, …). The daemon counts them and fails the batch
    /// at Coordinator:Dispatch:MaxUnclaimedSubmissions; a claim resets it.
    /// </summary>
    public int UnclaimedSubmissions { get; set; }
    /// <summary>
    /// Attempts of this batch that Slurm disrupted (preemption, node failure): retried without being charged against
    /// retry.maxAttempts, up to retry.maxDisruptions. A redrive resets it.
    /// </summary>
    public int Disruptions { get; set; }
    public long Version { get; set; }
}
