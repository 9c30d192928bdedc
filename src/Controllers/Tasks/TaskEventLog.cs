using System.Collections.Concurrent;
using Coordinator.Controllers.Pipeline;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Tasks;

/// <summary>
/// Task items as the tasks stream delivers them, newest per batch, waiting to be folded into each job's last full
/// read by <see cref="TaskTallySource"/>. This is what makes a status pass cost O(changed) round trips instead of a
/// paged read of every task: only a periodic recount (and any gap in the stream) reads everything again.
/// </summary>
public sealed class TaskEventLog : IJobMemory
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<int, JobTask>> _pending = new(StringComparer.Ordinal);
    private long _gaps;

    /// <summary>Bumped whenever changes may have been missed (the feed relists); a snapshot older than a gap is not patched.</summary>
    public long Gaps => Interlocked.Read(ref _gaps);

    /// <summary>Keeps <paramref name="task"/> unless a newer image of the same batch is already waiting.</summary>
    public void Record(JobTask task)
    {
        var batches = _pending.GetOrAdd(task.Job, _ => new ConcurrentDictionary<int, JobTask>());
        batches.AddOrUpdate(task.Index, task, (_, held) => IsNewer(task, held) ? task : held);
    }

    /// <summary>The stream may have skipped changes: every job's next pass reads its tasks in full.</summary>
    public void MarkGap() => Interlocked.Increment(ref _gaps);

    /// <summary>Takes the images waiting for <paramref name="job"/> (and forgets them).</summary>
    public IReadOnlyCollection<JobTask> Drain(string job)
    {
        if (!_pending.TryRemove(job, out var batches))
        {
            return [];
        }
        return batches.Values.ToList();
    }

    /// <summary>Drops what is waiting for <paramref name="job"/>: a full read is about to supersede it.</summary>
    public void Clear(string job) => _pending.TryRemove(job, out _);

    public int Jobs => _pending.Count;

    public void Forget(string job) => Clear(job);

    public void ForgetAll() => _pending.Clear();

    /// <summary>
    /// Later generation wins (a new partition replaces items at version 1); within a generation, the higher version.
    /// </summary>
    public static bool IsNewer(JobTask candidate, JobTask held) =>
        candidate.Generation != held.Generation ? candidate.Generation > held.Generation : candidate.Version > held.Version;
}
