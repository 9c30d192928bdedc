using System.ComponentModel.DataAnnotations;

namespace Coordinator.Worker;

/// <summary>
/// Section "Coordinator:Worker": settings of `coordinator worker`; each has a documented default that suits a Slurm
/// compute node. The heartbeat interval is <c>Coordinator:Heartbeat:Interval</c>, shared with the status controller
/// that derives from it when a task is lost.
/// </summary>
public sealed class WorkerOptions
{
    public const string SectionName = "Worker";

    /// <summary>
    /// Node-local directory under which each task gets its own scratch directory. Default: $SLURM_TMPDIR, else $TMPDIR,
    /// else /tmp — node-local on typical clusters, unlike the shared filesystem the logs live on.
    /// </summary>
    [Required]
    public string ScratchRoot { get; set; } =
        Environment.GetEnvironmentVariable("SLURM_TMPDIR") is { Length: > 0 } slurm ? slurm
        : Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } tmp ? tmp
        : "/tmp";

    /// <summary>Free space the scratch filesystem must keep beyond what the task needs (default 64 MiB).</summary>
    [Range(0, long.MaxValue)]
    public long MinFreeBytes { get; set; } = 64L << 20;

    /// <summary>How long a handler gets between SIGTERM and SIGKILL after a timeout or disruption (default 10 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan KillGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the worker still reads a handler's stdout/stderr after the handler ended and whatever it left running
    /// was stopped (default 5 s). Only a process that left the handler's session and cleared its environment can hold
    /// them longer; the worker then stops reading, keeps what it read, and says so on the task's stderr tail.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan PipeDrainTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Batches a pilot runs at once (default 8). Tiny batches spend their time in round trips to DynamoDB and the object
    /// store, not on the CPU, so overlapping them is what lets one pilot record many batches a second.
    /// </summary>
    [Range(1, 1024)]
    public int PilotConcurrency { get; set; } = 8;

    /// <summary>How much of the handler's stderr is kept on the task (default 4 KiB, its end).</summary>
    [Range(0, 1 << 20)]
    public int StderrTailBytes { get; set; } = 4096;
}
