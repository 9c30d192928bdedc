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
    public List<int> SucceededIndexes { get; } = [];
    public List<int> FailedIndexes { get; } = [];
    /// <summary>Pending, past their backoff, and not already queued in Slurm: what dispatch may submit now.</summary>
    public List<int> Ready { get; } = [];
    /// <summary>Running tasks whose worker is gone: Slurm no longer runs them, or their heartbeat is stale.</summary>
    public List<JobTask> Lost { get; } = [];
    /// <summary>Failed tasks whose failure fails the whole job (a FailJob rule matched).</summary>
    public List<JobTask> FailingJob { get; } = [];
    /// <summary>The first failure reasons, by index, for the job's message.</summary>
    public List<string> FailureReasons { get; } = [];
    /// <summary>The soonest time a backing-off task becomes ready.</summary>
    public DateTimeOffset? NextNotBefore { get; private set; }

    /// <summary>True when every batch has ended (succeeded, failed for good, or ignored).</summary>
    public bool AllEnded => Total > 0 && Succeeded + Failed + Ignored == Total;

    /// <summary>
    /// A Running task whose heartbeat is older than <paramref name="heartbeatStaleAfter"/> is lost; in array mode one
    /// absent from squeue (after a short grace, so a task just claimed is not misjudged) is lost too.
    /// </summary>
    /// <param name="tasks">Every task of the job.</param>
    /// <param name="inFlight">What squeue shows live for the job.</param>
    /// <param name="now">The pass's time.</param>
    /// <param name="heartbeatStaleAfter">Heartbeat age after which a Running task is lost.</param>
    /// <param name="arrayMode">Whether batch indices map to Slurm array tasks.</param>
    public static TaskTally From(IEnumerable<JobTask> tasks, InFlight inFlight, DateTimeOffset now, TimeSpan heartbeatStaleAfter, bool arrayMode)
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
                    break;
                case TaskState.Ignored:
                    tally.Ignored++;
                    tally.FailedRecords += task.InputRecords;
                    break;
                case TaskState.Running:
                    tally.Running++;
                    var beat = task.Heartbeat ?? task.StartedAt ?? now;
                    var gone = arrayMode && !inFlight.BatchIndexes.Contains(task.Index) && now - beat > grace;
                    if (gone || now - beat > heartbeatStaleAfter)
                    {
                        tally.Lost.Add(task);
                    }
                    break;
                default:
                    tally.Pending++;
                    if (task.NotBefore is { } notBefore && notBefore > now)
                    {
                        tally.NextNotBefore = tally.NextNotBefore is { } n && n < notBefore ? n : notBefore;
                    }
                    else if (!inFlight.BatchIndexes.Contains(task.Index))
                    {
                        tally.Ready.Add(task.Index);
                    }
                    break;
            }
        }
        return tally;
    }
}
