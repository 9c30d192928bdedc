using Coordinator.Controllers.Pipeline;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Tasks;

/// <summary>
/// Task items as the tasks stream delivers them, newest per batch, waiting to be folded into each job's last full
/// read by <see cref="TaskTallySource"/>. This is what makes a status pass cost O(changed) round trips instead of a
/// paged read of every task: only a periodic recount (and any gap in the stream) reads everything again.
/// <para>
/// Only images of watched jobs are kept: a job is watched from just before its full read (<see cref="Watch"/>) until
/// its snapshot is dropped (<see cref="Forget"/>), so the log holds nothing for finished, deleted or other daemons'
/// jobs, and nothing that arrived before the read it would patch.
/// </para>
/// </summary>
public sealed class TaskEventLog : IJobMemory
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<int, JobTask>> _watched = new(StringComparer.Ordinal);
    private long _gaps;

    /// <summary>Bumped whenever changes may have been missed (the feed relists); a snapshot older than a gap is not patched.</summary>
    public long Gaps => Interlocked.Read(ref _gaps);

    /// <summary>Keeps <paramref name="task"/> if its job is watched, unless a newer image of the same batch is already waiting.</summary>
    public void Record(JobTask task)
    {
        lock (_gate)
        {
            if (_watched.TryGetValue(task.Job, out var batches)
                && (!batches.TryGetValue(task.Index, out var held) || IsNewer(task, held)))
            {
                batches[task.Index] = task;
            }
        }
    }

    /// <summary>The stream may have skipped changes: every job's next pass reads its tasks in full.</summary>
    public void MarkGap() => Interlocked.Increment(ref _gaps);

    /// <summary>Starts (or restarts) keeping images of <paramref name="job"/>, dropping any waiting: a full read follows.</summary>
    public void Watch(string job)
    {
        lock (_gate)
        {
            _watched[job] = [];
        }
    }

    /// <summary>Takes the images waiting for <paramref name="job"/> (and forgets them); the job stays watched.</summary>
    public IReadOnlyCollection<JobTask> Drain(string job)
    {
        lock (_gate)
        {
            if (!_watched.TryGetValue(job, out var batches) || batches.Count == 0)
            {
                return [];
            }
            _watched[job] = [];
            return batches.Values;
        }
    }

    public int Jobs
    {
        get
        {
            lock (_gate)
            {
                return _watched.Count;
            }
        }
    }

    /// <summary>Stops watching <paramref name="job"/> and drops what is waiting for it.</summary>
    public void Forget(string job)
    {
        lock (_gate)
        {
            _watched.Remove(job);
        }
    }

    public void ForgetAll()
    {
        lock (_gate)
        {
            _watched.Clear();
        }
    }

    /// <summary>
    /// Later generation wins (a new partition replaces items at version 1); within a generation, the higher version.
    /// </summary>
    public static bool IsNewer(JobTask candidate, JobTask held) =>
        candidate.Generation != held.Generation ? candidate.Generation > held.Generation : candidate.Version > held.Version;
}
