using System.Collections.Concurrent;
using System.Globalization;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Tasks;
using Coordinator.Model.Spec;
using Coordinator.Model.Tasks;
using Microsoft.Extensions.Logging;

namespace Coordinator.Controllers.Dispatch;

/// <summary>
/// Issue 15, path 3: submissions that ended without any worker claiming their batch. A worker that exits before it
/// claims (its executable missing on the node, no credentials, an argument it cannot parse) leaves the task Pending;
/// once its Slurm task has left the queue the batch is ready again, and it used to be resubmitted every pass, forever,
/// with nothing on the job. This daemon remembers each submission it made with the version of every task item it
/// covered. When a later full read (squeue first, then every task, strongly consistent) shows a covered batch no
/// longer queued and its item at that very version — no claim, no write of any kind — the submission produced no claim:
/// the count on the task item (<see cref="JobTask.UnclaimedSubmissions"/>) goes up, conditionally on that version.
/// At <see cref="DispatchOptions.MaxUnclaimedSubmissions"/> the batch fails (FailBatch, no attempt charged: none ran)
/// with the Slurm task's own stderr tail ("the worker never started on node1: …"), and the failure policy decides the
/// job. In pilot mode a submission counts only when none of its batches was claimed: pilots that claimed some and
/// then ran out of time did start.
/// <para>
/// Only this daemon's submissions are judged, and only from its memory, which is dropped with the job, at each new
/// leadership term and at a restart: a submission made just before one of those is not counted (never one too many).
/// A claim resets the count, so it is the number of submissions in a row that no worker took.
/// </para>
/// </summary>
public sealed partial class UnclaimedSubmissions(IStateStore state, CoordinatorOptions options, ILogger<UnclaimedSubmissions> logger) : IJobMemory
{
    /// <summary>Reason prefix of a batch failed because no worker ever claimed it.</summary>
    public const string NeverStartedReason = "NeverStarted";

    /// <summary>Bytes of the Slurm task's stderr kept on the task item.</summary>
    public const int StderrTailBytes = 4096;

    private readonly ConcurrentDictionary<string, List<Submission>> _jobs = new(StringComparer.Ordinal);

    /// <param name="Generation">The job generation the tasks belong to.</param>
    /// <param name="SlurmJobId">The submission's (array) job id, as sbatch returned it.</param>
    /// <param name="Offset">Batch index of array index 0 (array mode); null for pilots.</param>
    /// <param name="Versions">Each covered batch's task version at submission; removed once judged.</param>
    /// <param name="PerTask">Batches per array task (a pack) in array mode.</param>
    private sealed record Submission(long Generation, string SlurmJobId, int? Offset, Dictionary<int, long> Versions, int PerTask = 1);

    public int Jobs => _jobs.Count;

    public void Forget(string job) => _jobs.TryRemove(job, out _);

    public void ForgetAll() => _jobs.Clear();

    /// <summary>Remembers a submission just made of <paramref name="indexes"/>, at the versions <paramref name="tasks"/> hold.</summary>
    public void Submitted(Job job, string slurmJobId, int? offset, IEnumerable<int> indexes, IReadOnlyList<JobTask> tasks, int perTask = 1)
    {
        var wanted = indexes.ToHashSet();
        var versions = tasks.Where(t => wanted.Contains(t.Index)).ToDictionary(t => t.Index, t => t.Version);
        _jobs.GetOrAdd(job.Name, _ => []).Add(new Submission(job.Generation, slurmJobId, offset, versions, perTask));
    }

    /// <summary>
    /// Judges the remembered submissions that have left the queue by <paramref name="snapshot"/>, which must be a full
    /// read (otherwise nothing is judged: an image patched in from the stream may lag behind a claim). Counts the
    /// unclaimed ones on their task items and fails the batches that reached the limit. True when a task item was
    /// written (the caller reads the tasks again).
    /// </summary>
    public async Task<bool> JudgeAsync(Job job, TaskTallySource.Snapshot snapshot, DateTimeOffset now, CancellationToken ct)
    {
        if (!_jobs.TryGetValue(job.Name, out var submissions) || snapshot.FullReadAt != snapshot.ReadAt)
        {
            return false;
        }
        submissions.RemoveAll(s => s.Generation != job.Generation);
        var tasks = snapshot.Tasks.ToDictionary(t => t.Index);
        var unclaimed = new List<(JobTask Task, Submission From, int ArrayIndex)>();
        foreach (var submission in submissions.ToList())
        {
            if (submission.Offset is not { } offset)
            {
                // Pilots: judged once none of them is queued or running, and counted only if no batch was claimed.
                if (snapshot.InFlight.Submissions.Any(s => s.JobId == submission.SlurmJobId))
                {
                    continue;
                }
                submissions.Remove(submission);
                var covered = submission.Versions.Select(v => tasks.GetValueOrDefault(v.Key)).ToList();
                if (covered.Count > 0 && covered.All(t => t is not null && t.Version == submission.Versions[t.Index] && TaskTransitions.CanClaim(t)))
                {
                    unclaimed.AddRange(covered.Select(t => (t!, submission, 0)));
                }
                continue;
            }
            foreach (var (index, version) in submission.Versions.ToList())
            {
                if (snapshot.InFlight.BatchIndexes.Contains(index))
                {
                    continue;
                }
                submission.Versions.Remove(index);
                if (tasks.TryGetValue(index, out var task) && task.Version == version && TaskTransitions.CanClaim(task))
                {
                    unclaimed.Add((task, submission, (index - offset) / submission.PerTask));
                }
            }
            if (submission.Versions.Count == 0)
            {
                submissions.Remove(submission);
            }
        }
        var written = false;
        foreach (var (task, from, arrayIndex) in unclaimed)
        {
            task.UnclaimedSubmissions++;
            var failing = task.UnclaimedSubmissions >= options.Dispatch.MaxUnclaimedSubmissions;
            if (failing)
            {
                NeverStarted(job, task, from, arrayIndex, snapshot.InFlight, now);
            }
            try
            {
                task.Version = await state.UpdateTaskAsync(task, ct).ConfigureAwait(false);
                written = true;
                LogUnclaimed(logger, job.Name, task.Index, from.SlurmJobId, task.UnclaimedSubmissions, failing ? "failed" : "resubmitted");
            }
            catch (ConflictException)
            {
                // A worker claimed it after all (or a redrive moved it): that stands; the caller reads the tasks again.
                written = true;
            }
        }
        return written;
    }

    /// <summary>Fails the batch with what its Slurm task left: the node from squeue, the reason from its stderr file.</summary>
    private void NeverStarted(Job job, JobTask task, Submission from, int arrayIndex, InFlight inFlight, DateTimeOffset now)
    {
        var node = inFlight.Listed.GetValueOrDefault(from.SlurmJobId)?.Tasks.FirstOrDefault(t => t.ArrayIndex == arrayIndex)?.Node;
        var path = WorkerLogs.Path(options.Slurm.LogDirectory, job.Name, from.SlurmJobId, arrayIndex, "err");
        var tail = WorkerLogs.Tail(path, StderrTailBytes);
        var lastLine = tail?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        var said = lastLine is { Length: > 0 } ? $": {lastLine}" : tail is null ? $" (its stderr file {path} cannot be read here)" : $" (its stderr file {path} is empty)";
        task.State = TaskState.Failed;
        task.Verdict = TaskVerdict.FailBatch;
        task.FinishedAt = now;
        task.StderrTail = tail;
        task.Reason = string.Create(CultureInfo.InvariantCulture,
            $"{NeverStartedReason}: the worker never started on {node ?? "an unknown node"}{said}; {task.UnclaimedSubmissions} submissions in a row ended with no worker claiming the batch (last: Slurm job {from.SlurmJobId}_{arrayIndex}, stderr {path})");
    }

    [LoggerMessage(EventId = 6304, Level = LogLevel.Warning, Message = "{JobName}: batch {BatchIndex} was not claimed by any worker of Slurm job {SlurmJobId} ({Count} submissions in a row); {Outcome}")]
    private static partial void LogUnclaimed(ILogger logger, string jobName, int batchIndex, string slurmJobId, int count, string outcome);
}
