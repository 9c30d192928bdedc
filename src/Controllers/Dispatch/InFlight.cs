using Coordinator.Controllers.Ports;

namespace Coordinator.Controllers.Dispatch;

/// <summary>
/// A job's live Slurm submissions, as squeue shows them: which batch indices are queued or running (array mode),
/// how many pilots are alive, and which tokens are known. Pure, built from the scheduler's listing.
/// </summary>
public sealed class InFlight
{
    public HashSet<int> BatchIndexes { get; } = [];
    /// <summary>
    /// The live array task of each batch in <see cref="BatchIndexes"/>, as scancel names one task of an array:
    /// <c>{jobId}_{index}</c> (array mode only; a pilot serves many batches).
    /// </summary>
    public Dictionary<int, string> Elements { get; } = [];
    public HashSet<string> Tokens { get; } = new(StringComparer.Ordinal);
    public List<ScheduledJob> Submissions { get; } = [];
    /// <summary>Every listed submission of the job by Slurm job id, ended ones too (Slurm lists those for MinJobAge).</summary>
    public Dictionary<string, ScheduledJob> Listed { get; } = new(StringComparer.Ordinal);
    public int LivePilots { get; private set; }
    public int PendingPilots { get; private set; }

    public static bool IsLive(SchedulerTaskState state) => state is SchedulerTaskState.Pending or SchedulerTaskState.Running;

    public static InFlight From(IEnumerable<ScheduledJob> jobs)
    {
        var inFlight = new InFlight();
        foreach (var job in jobs)
        {
            if (SubmissionComment.TryParse(job.Comment) is not { } comment)
            {
                continue;
            }
            inFlight.Tokens.Add(comment.Token);
            inFlight.Listed[job.JobId] = job;
            var live = job.Tasks.Where(t => IsLive(t.State)).ToList();
            if (live.Count == 0)
            {
                continue;
            }
            inFlight.Submissions.Add(job);
            foreach (var task in live)
            {
                if (comment.IsPilot)
                {
                    inFlight.LivePilots++;
                    inFlight.PendingPilots += task.State == SchedulerTaskState.Pending ? 1 : 0;
                }
                else if (task.ArrayIndex is { } index)
                {
                    // A pack's task covers several batches; cancelling the element of one cancels its whole pack.
                    foreach (var batch in comment.Batches(index))
                    {
                        inFlight.BatchIndexes.Add(batch);
                        inFlight.Elements[batch] = $"{job.JobId}_{index.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
                    }
                }
            }
        }
        return inFlight;
    }
}
