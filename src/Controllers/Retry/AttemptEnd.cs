namespace Coordinator.Controllers.Retry;

/// <summary>How one attempt of a batch ended, as far as the retry policy cares.</summary>
public enum AttemptEndKind
{
    /// <summary>The handler exited non-zero; the exit code decides through the rules.</summary>
    HandlerExit,
    /// <summary>The handler ran past spec.handler.timeout and was killed.</summary>
    Timeout,
    /// <summary>The handler misbehaved: missing or not executable, invalid JSONL, exit 0 with no output.</summary>
    BadHandler,
    /// <summary>The batch object did not match its sha256; it was never processed.</summary>
    ChecksumMismatch,
    /// <summary>Slurm ended the task while it was Running, or its heartbeat went stale.</summary>
    Lost,
    /// <summary>Preemption, node failure or a time-limit SIGTERM from Slurm: not the batch's fault, never counted.</summary>
    Disrupted,
    /// <summary>The task item's keys differ from the job's layout (a tampered item): nothing was read; counted.</summary>
    LayoutMismatch,
}

/// <summary>
/// The end of one attempt: what happened, the exit code if the handler exited, which attempt it was (1-based), and,
/// for a disruption, how many disruptions the batch has had counting this one.
/// </summary>
public sealed record AttemptEnd(AttemptEndKind Kind, int? ExitCode, int Attempt, int Disruptions = 0);
