using Coordinator.Controllers.Retry;
using Coordinator.Model.Spec;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Tasks;

/// <summary>
/// The pure edits a worker (or the status controller, for lost tasks) makes to a task item: claim it, and record how
/// an attempt ended under the retry policy. Kept pure so every path is unit tested; the callers write the result
/// conditionally on the version they read.
/// </summary>
public static class TaskTransitions
{
    /// <summary>
    /// Reason prefix of a batch whose failure must fail the whole job (a FailJob rule matched), for people reading it;
    /// the daemon decides from <see cref="JobTask.Verdict"/>.
    /// </summary>
    public const string FailJobReason = "FailJob";

    /// <summary>
    /// A task may be claimed while Pending or Dispatched and not held by a retry backoff. No clock is consulted: the
    /// daemon releases a held task (<see cref="Release"/>) once the backoff has passed on its own clock, so a worker
    /// whose clock is off neither claims early nor refuses what the daemon dispatched. The task's own generation (the
    /// partition it belongs to) locates its batch, so a spec edit such as maxConcurrent never strands it.
    /// </summary>
    public static bool CanClaim(JobTask task) =>
        task.State is TaskState.Pending or TaskState.Dispatched && task.NotBefore is null;

    /// <summary>A Pending task waiting out a retry backoff: <see cref="JobTask.NotBefore"/> is set until released.</summary>
    public static bool IsHeld(JobTask task) =>
        task.State is TaskState.Pending or TaskState.Dispatched && task.NotBefore is not null;

    /// <summary>
    /// How long a held task is held: its notBefore less its finishedAt. Both are stamped by whoever recorded the failed
    /// attempt, in one <see cref="RecordEnd"/>, on one clock, so the difference is the backoff delay whatever that
    /// clock's offset; each observer waits it out on its own clock from when it first saw the hold (<see cref="TaskWatch"/>).
    /// </summary>
    public static TimeSpan HoldLength(JobTask task) =>
        task.NotBefore is { } notBefore && task.FinishedAt is { } finished && notBefore > finished ? notBefore - finished : TimeSpan.Zero;

    /// <summary>Ends a held task's backoff: it is claimable (and dispatchable) again.</summary>
    public static void Release(JobTask task) => task.NotBefore = null;

    /// <summary>Moves a claimable task to Running as a new attempt.</summary>
    public static void Claim(JobTask task, string host, string? slurmJobId, string? arrayTaskId, DateTimeOffset now)
    {
        task.State = TaskState.Running;
        task.Attempt++;
        task.Host = host;
        task.SlurmJobId = slurmJobId;
        task.SlurmArrayTaskId = arrayTaskId;
        task.StartedAt = now;
        task.Heartbeat = now;
        task.FinishedAt = null;
        task.NotBefore = null;
        task.ExitCode = null;
        task.Reason = null;
        task.Verdict = TaskVerdict.None;
        task.UnclaimedSubmissions = 0;
    }

    /// <summary>Records the end of the current attempt, applying the retry policy to failures.</summary>
    public static void RecordEnd(JobTask task, AttemptResult result, RetrySpec retry, DateTimeOffset now)
    {
        task.FinishedAt = now;
        task.Heartbeat = now;
        task.ExitCode = result.ExitCode;
        task.StderrTail = result.StderrTail;
        if (result.Succeeded)
        {
            task.State = TaskState.Succeeded;
            task.OutputRecords = result.OutputRecords;
            task.RejectedRecords = result.RejectedRecords;
            task.RejectsKey = result.RejectsKey;
            task.RejectsSha256 = result.RejectsSha256;
            task.ResultKey = result.ResultKey;
            task.ResultSha256 = result.ResultSha256;
            task.ResultETag = result.ResultETag;
            task.Reason = "Succeeded";
            task.Verdict = TaskVerdict.None;
            return;
        }
        var kind = result.Failure ?? AttemptEndKind.Lost;
        if (kind == AttemptEndKind.Disrupted)
        {
            task.Disruptions++;
        }
        var decision = RetryPolicy.Decide(new AttemptEnd(kind, result.ExitCode, task.Attempt, task.Disruptions), retry);
        var cause = $"{kind}: {result.Message}";
        task.Verdict = ToTaskVerdict(decision.Verdict);
        switch (decision.Verdict)
        {
            case RetryVerdict.Retry:
                task.State = TaskState.Pending;
                task.NotBefore = now + decision.Delay;
                task.Reason = $"{cause}; retry after {decision.Delay}";
                break;
            case RetryVerdict.RetryUncounted:
                task.State = TaskState.Pending;
                task.Attempt = Math.Max(0, task.Attempt - 1);
                task.NotBefore = null;
                task.Reason = $"{cause}; {decision.Reason}";
                break;
            case RetryVerdict.Ignore:
                task.State = TaskState.Ignored;
                task.Reason = $"{cause}; {decision.Reason}";
                break;
            case RetryVerdict.FailJob:
                task.State = TaskState.Failed;
                task.Reason = $"{FailJobReason}: {cause}; {decision.Reason}";
                break;
            default:
                task.State = TaskState.Failed;
                task.Reason = $"{cause}; {decision.Reason}";
                break;
        }
    }

    /// <summary>The policy's verdict as the task item records it.</summary>
    public static TaskVerdict ToTaskVerdict(RetryVerdict verdict) => verdict switch
    {
        RetryVerdict.Retry => TaskVerdict.Retry,
        RetryVerdict.RetryUncounted => TaskVerdict.RetryUncounted,
        RetryVerdict.Ignore => TaskVerdict.Ignore,
        RetryVerdict.FailJob => TaskVerdict.FailJob,
        _ => TaskVerdict.FailBatch,
    };
}
