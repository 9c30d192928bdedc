namespace Coordinator.Controllers.Ports;

/// <summary>
/// How one Slurm job (a pilot, or one array task) ended, as Slurm's accounting (sacct) records it. Read for tasks that
/// left squeue without an outcome in their task item, so the daemon records why they ended rather than only "lost".
/// </summary>
/// <param name="JobId">The array's job id for an array task (the submission's id), else the job's own id.</param>
/// <param name="ArrayIndex">The array task's index, null for a job that is not an array task.</param>
/// <param name="Name">The Slurm job name (the coordinator job's name).</param>
/// <param name="Comment">The comment without the deployment's mark (see the Slurm adapter's DeploymentComment).</param>
/// <param name="State">Slurm's end state: COMPLETED, FAILED, CANCELLED, TIMEOUT, PREEMPTED, NODE_FAIL, BOOT_FAIL,
/// OUT_OF_MEMORY (also derived when a step's MaxRSS passed the job's memory: OverMemoryKill without cgroups ends such a
/// job FAILED with signal 9), DEADLINE, REQUEUED…</param>
/// <param name="Node">The node list it ran on ("node2"), null when it never started.</param>
/// <param name="ExitCode">The batch script's return code, when it returned one.</param>
/// <param name="Signal">The signal that ended it, when one did.</param>
/// <param name="CancelledBy">Who cancelled it (Slurm's kill_request_user), when someone did.</param>
/// <param name="MaxRssBytes">The largest resident set of any of its steps, when accounting gathered it.</param>
/// <param name="MemoryLimitBytes">The memory it was allowed (--mem per node), when known.</param>
public sealed record AccountedTask(
    string JobId, int? ArrayIndex, string Name, string? Comment, string State, string? Node, int? ExitCode, int? Signal,
    string? CancelledBy, long? MaxRssBytes, long? MemoryLimitBytes)
{
    /// <summary>"OUT_OF_MEMORY on node2, MaxRSS 612M of 512M", "CANCELLED by alice on node1", "TIMEOUT on node3", …</summary>
    public string Describe()
    {
        var text = State;
        if (CancelledBy is { Length: > 0 } who && State == "CANCELLED")
        {
            text += $" by {who}";
        }
        if (Node is { Length: > 0 } node)
        {
            text += $" on {node}";
        }
        if (MaxRssBytes is { } rss && State == "OUT_OF_MEMORY")
        {
            text += MemoryLimitBytes is { } limit ? $", MaxRSS {Mebibytes(rss)} of {Mebibytes(limit)}" : $", MaxRSS {Mebibytes(rss)}";
        }
        if (Signal is { } signal and > 0)
        {
            text += $", signal {signal}";
        }
        else if (ExitCode is { } code and not 0)
        {
            text += $", exit code {code}";
        }
        return text;
    }

    private static string Mebibytes(long bytes) => $"{(bytes + (1L << 20) - 1) >> 20}M";
}

/// <summary>
/// Slurm accounting port: this deployment's jobs that ended within a bounded window. The Slurm adapter runs at most
/// one sacct for the whole deployment per call window (results are shared by every job's pass), never one per job.
/// </summary>
public interface ISchedulerAccounting
{
    /// <summary>False when the scheduler keeps no accounting (then nothing is ever found, and nothing is waited for).</summary>
    bool Available { get; }

    /// <summary>This deployment's jobs that ended (or were requeued) within <paramref name="window"/> of now.</summary>
    Task<IReadOnlyList<AccountedTask>> EndedAsync(TimeSpan window, CancellationToken ct);
}

/// <summary>No accounting (the local scheduler): nothing is ever found, lost tasks stay lost.</summary>
public sealed class NoSchedulerAccounting : ISchedulerAccounting
{
    public static NoSchedulerAccounting Instance { get; } = new();

    public bool Available => false;

    public Task<IReadOnlyList<AccountedTask>> EndedAsync(TimeSpan window, CancellationToken ct) => Task.FromResult<IReadOnlyList<AccountedTask>>([]);
}
