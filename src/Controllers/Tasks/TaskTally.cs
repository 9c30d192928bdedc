using Coordinator.Controllers.Dispatch;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Tasks;

/// <summary>
/// One pass's view of a job's tasks: counts, index ranges, what is ready to dispatch, what is lost. Pure, built from
/// the task items and the in-flight set, so the dispatch and status decisions are tested without DynamoDB or Slurm.
/// </summary>
public sealed class TaskTally
{
    public long Total { get; private set; }
    public long Pending { get; private set; }
    public long Running { get; private set; }
    public long Succeeded { get; private set; }
    public long Failed { get; private set; }
    public long Ignored { get; private set; }
    public long InputRecords { get; private set; }
    public long OutputRecords { get; private set; }
    public long FailedRecords { get; private set; }
    public long RejectedRecords { get; private set; }
    public List<int> SucceededIndexes { get; } = [];
    public List<int> FailedIndexes { get; } = [];
    /// <summary>Pending, not backing off, and not already queued in Slurm: what dispatch may submit now.</summary>
    public List<int> Ready { get; } = [];
    /// <summary>Running tasks whose worker is gone: Slurm no longer runs them, or their heartbeat stopped changing.</summary>
    public List<JobTask> Lost { get; } = [];
    /// <summary>Held tasks whose backoff has passed on this daemon's clock: the status controller releases them.</summary>
    public List<JobTask> Due { get; } = [];
    /// <summary>Failed tasks whose failure fails the whole job (a FailJob rule matched).</summary>
    public List<JobTask> FailingJob { get; } = [];
    /// <summary>The first failure reasons, by index, for the job's message.</summary>
    public List<string> FailureReasons { get; } = [];
    /// <summary>How soon the first backing-off task is due, on this daemon's clock.</summary>
    public TimeSpan? NextRelease { get; private set; }

    /// <summary>True when every batch has ended (succeeded, failed for good, or ignored).</summary>
    public bool AllEnded => Total > 0 && Succeeded + Failed + Ignored == Total;

    /// <summary>
    /// Liveness and backoff are judged by <paramref name="watch"/>, on this daemon's clock, never from timestamps a
    /// worker stamped: a Running task whose item this daemon has not seen change for
    /// <paramref name="heartbeatStaleAfter"/> is lost; in array mode one absent from squeue is lost after a short grace
    /// without a change (so a task just claimed, or still beating, is not misjudged); a held task is due once this
    /// daemon has seen it held for its backoff. Without a watch (aggregation: nothing runs) nothing is judged.
    /// </summary>
    /// <param name="tasks">Every task of the job.</param>
    /// <param name="inFlight">What squeue shows live for the job.</param>
    /// <param name="watch">This daemon's observations of the task items, or null to judge nothing.</param>
    /// <param name="heartbeatStaleAfter">How long a Running task's item may stay unchanged before it is lost.</param>
    /// <param name="arrayMode">Whether batch indices map to Slurm array tasks.</param>
    public static TaskTally From(IEnumerable<JobTask> tasks, InFlight inFlight, TaskWatch? watch, TimeSpan heartbeatStaleAfter, bool arrayMode)
    {
        var tally = new TaskTally();
        var grace = TimeSpan.FromSeconds(30) < heartbeatStaleAfter ? TimeSpan.FromSeconds(30) : heartbeatStaleAfter;
        foreach (var task in tasks)
        {
            tally.Total++;
            tally.InputRecords += task.InputRecords;
            switch (task.State)
            {
                case TaskState.Succeeded:
                    tally.Succeeded++;
                    tally.SucceededIndexes.Add(task.Index);
                    tally.OutputRecords += task.OutputRecords ?? 0;
                    tally.RejectedRecords += task.RejectedRecords ?? 0;
                    watch?.Ended(task);
                    break;
                case TaskState.Failed:
                    tally.Failed++;
                    tally.FailedIndexes.Add(task.Index);
                    tally.FailedRecords += task.InputRecords;
                    if (tally.FailureReasons.Count < 5)
                    {
                        tally.FailureReasons.Add($"batch {task.Index}: {task.Reason}");
                    }
                    if (task.Verdict == TaskVerdict.FailJob)
                    {
                        tally.FailingJob.Add(task);
                    }
                    watch?.Ended(task);
                    break;
                case TaskState.Ignored:
                    tally.Ignored++;
                    tally.FailedRecords += task.InputRecords;
                    watch?.Ended(task);
                    break;
                case TaskState.Running:
                    tally.Running++;
                    if (watch?.Unchanged(task) is { } unchanged
                        && (unchanged > heartbeatStaleAfter || (arrayMode && !inFlight.BatchIndexes.Contains(task.Index) && unchanged > grace)))
                    {
                        tally.Lost.Add(task);
                    }
                    break;
                default:
                    tally.Pending++;
                    if (TaskTransitions.IsHeld(task))
                    {
                        if (watch is not null && TaskTransitions.HoldLength(task) - watch.Unchanged(task) is var left)
                        {
                            if (left <= TimeSpan.Zero)
                            {
                                tally.Due.Add(task);
                            }
                            else
                            {
                                tally.NextRelease = tally.NextRelease is { } n && n < left ? n : left;
                            }
                        }
                    }
                    else
                    {
                        watch?.Ended(task);
                        if (!inFlight.BatchIndexes.Contains(task.Index))
                        {
                            tally.Ready.Add(task.Index);
                        }
                    }
                    break;
            }
        }
        return tally;
    }
}
