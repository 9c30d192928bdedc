namespace Coordinator.Worker.Handlers;

/// <summary>How a handler process ended.</summary>
public enum HandlerEnd
{
    /// <summary>It exited by itself; see the exit code.</summary>
    Exited,
    /// <summary>It ran past spec.handler.timeout and was sent SIGTERM, then SIGKILL.</summary>
    TimedOut,
    /// <summary>Slurm sent the worker SIGTERM (time limit, preemption); the handler was stopped.</summary>
    Disrupted,
    /// <summary>It never started: missing, not executable, or not a program.</summary>
    FailedToStart,
    /// <summary>Stream mode: the handler broke the framing or exited 0 mid-batch; see <see cref="HandlerRun.Problem"/>.</summary>
    Broken,
}

/// <summary>The result of running a handler once.</summary>
public sealed record HandlerRun(HandlerEnd End, int? ExitCode, string StderrTail, TimeSpan Duration)
{
    /// <summary>What was wrong when <see cref="End"/> is <see cref="HandlerEnd.Broken"/>.</summary>
    public string? Problem { get; init; }
}
