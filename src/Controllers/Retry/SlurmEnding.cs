using System.Globalization;
using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Tasks;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Retry;

/// <summary>
/// Why a task that left squeue without an outcome ended, from Slurm's accounting (<see cref="AccountedTask"/>), as the
/// attempt the retry policy judges. Kubernetes counts disruptions apart from failures, and so does this:
/// <list type="bullet">
/// <item>NODE_FAIL, BOOT_FAIL, PREEMPTED: <see cref="AttemptEndKind.Disrupted"/>, not charged against
/// retry.maxAttempts, bounded by retry.maxDisruptions;</item>
/// <item>TIMEOUT (and DEADLINE): the batch's own doing, a handler exit with <see cref="TimeoutExitCode"/> (124, what
/// timeout(1) exits with), so it goes through the exit-code rules and is charged;</item>
/// <item>OUT_OF_MEMORY: likewise, with <see cref="OutOfMemoryExitCode"/> (137, 128 + SIGKILL, what Kubernetes reports
/// for OOMKilled);</item>
/// <item>anything else (CANCELLED by someone, FAILED): <see cref="AttemptEndKind.Lost"/>, charged, as before.</item>
/// </list>
/// The message starts with Slurm's account of it ("OUT_OF_MEMORY on node2, MaxRSS 612M of 512M, signal 9").
/// </summary>
public static class SlurmEnding
{
    public const int TimeoutExitCode = 124;
    public const int OutOfMemoryExitCode = 137;

    /// <summary>The states a record has once the run it describes is over (a requeued job's older runs among them).</summary>
    private static readonly HashSet<string> Ended = new(StringComparer.Ordinal)
    {
        "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "DEADLINE", "PREEMPTED", "NODE_FAIL", "BOOT_FAIL", "OUT_OF_MEMORY", "REVOKED", "SPECIAL_EXIT",
    };

    /// <summary>
    /// The latest ended record of the Slurm job (array task) the task's current attempt ran as, or null when the
    /// accounting has none (not written yet, no accounting, or the attempt never recorded its Slurm ids).
    /// </summary>
    public static AccountedTask? Find(IReadOnlyList<AccountedTask> records, JobTask task)
    {
        if (task.SlurmJobId is not { Length: > 0 } jobId)
        {
            return null;
        }
        int? index = int.TryParse(task.SlurmArrayTaskId, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null;
        return records.LastOrDefault(r => r.JobId == jobId && r.ArrayIndex == index && Ended.Contains(r.State));
    }

    /// <summary>
    /// Whether the accounting says the task's Slurm job still runs (its newest record is RUNNING, COMPLETING…): a stale
    /// heartbeat then may be a host Slurm has not yet declared failed (cut off, SlurmdTimeout not yet passed).
    /// </summary>
    public static bool StillRunning(IReadOnlyList<AccountedTask> records, JobTask task)
    {
        if (task.SlurmJobId is not { Length: > 0 } jobId)
        {
            return false;
        }
        int? index = int.TryParse(task.SlurmArrayTaskId, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null;
        return records.LastOrDefault(r => r.JobId == jobId && r.ArrayIndex == index) is { } last && !Ended.Contains(last.State);
    }

    /// <summary>The attempt <paramref name="record"/> describes, for the task's stderr tail.</summary>
    public static AttemptResult ToAttempt(AccountedTask record, string stderrTail)
    {
        var what = record.Describe();
        return record.State switch
        {
            "NODE_FAIL" or "BOOT_FAIL" or "PREEMPTED" =>
                AttemptResult.Failed(AttemptEndKind.Disrupted, $"{what}: Slurm stopped the worker", stderrTail, record.ExitCode),
            "TIMEOUT" or "DEADLINE" =>
                AttemptResult.Failed(AttemptEndKind.HandlerExit, $"{what}: past its Slurm time limit (exit code {TimeoutExitCode})", stderrTail, TimeoutExitCode),
            "OUT_OF_MEMORY" =>
                AttemptResult.Failed(AttemptEndKind.HandlerExit, $"{what}: over its Slurm memory limit (exit code {OutOfMemoryExitCode})", stderrTail, OutOfMemoryExitCode),
            _ => AttemptResult.Failed(AttemptEndKind.Lost, $"{what}: the worker stopped without recording an outcome", stderrTail, record.ExitCode),
        };
    }
}
