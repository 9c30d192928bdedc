namespace Coordinator.Worker;

/// <summary>Settings of `coordinator worker`; each has a documented default that suits a Slurm compute node.</summary>
public sealed class WorkerOptions
{
    /// <summary>
    /// Node-local directory under which each task gets its own scratch directory. Default: $SLURM_TMPDIR, else $TMPDIR,
    /// else /tmp — node-local on typical clusters, unlike the shared filesystem the logs live on.
    /// </summary>
    public string ScratchRoot { get; set; } =
        Environment.GetEnvironmentVariable("SLURM_TMPDIR") is { Length: > 0 } slurm ? slurm
        : Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } tmp ? tmp
        : "/tmp";

    /// <summary>Free space the scratch filesystem must keep beyond what the task needs (default 64 MiB).</summary>
    public long MinFreeBytes { get; set; } = 64L << 20;

    /// <summary>How often a running task's heartbeat is written (default 15 s); the status controller calls it lost after 6 missed beats.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a handler gets between SIGTERM and SIGKILL after a timeout or disruption (default 10 s).</summary>
    public TimeSpan KillGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Batches a pilot runs at once (default 8). Tiny batches spend their time in round trips to DynamoDB and the object
    /// store, not on the CPU, so overlapping them is what lets one pilot record many batches a second.
    /// </summary>
    public int PilotConcurrency { get; set; } = 8;

    /// <summary>How much of the handler's stderr is kept on the task (default 4 KiB, its end).</summary>
    public int StderrTailBytes { get; set; } = 4096;
}
