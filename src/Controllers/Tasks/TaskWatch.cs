using System.Collections.Concurrent;
using Coordinator.Controllers.Pipeline;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Tasks;

/// <summary>
/// What this process has seen of task items, measured on its own monotonic clock
/// (<see cref="TimeProvider.GetTimestamp"/>): for each batch, the item's (generation, attempt, version) last seen and
/// when it was first seen so. That is how liveness is judged, as the lease is: a Running task is lost when this daemon
/// has not seen its item change for StaleAfter, and a retry backoff lasts its delay from when this process first saw
/// it. Timestamps stamped on other hosts (a worker's heartbeat, its notBefore) are never compared with this clock, so
/// a node whose clock is off, in either direction, neither loses live work nor hides a dead worker.
/// <para>
/// The heartbeat "value" is the item's <see cref="JobTask.Version"/>: the store bumps it on every conditional write, so
/// each heartbeat changes it whatever the worker's clock says (even a clock that stood still or stepped back), and
/// so does every other write (a claim, an outcome, a release).
/// </para>
/// <para>
/// Kept in memory only: after a restart or a change of leader, watching starts afresh, so a dead worker is found at
/// most StaleAfter (plus a pass) after the new leader first sees its task, and a backoff can last up to twice its
/// delay. Entries go when the batch is seen in a state that is not watched, and <see cref="Forget"/> drops a finished
/// or deleted job's.
/// </para>
/// </summary>
public sealed class TaskWatch(TimeProvider? clock = null) : IJobMemory
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<int, Sighting>> _jobs = new(StringComparer.Ordinal);

    /// <summary>
    /// How long this process has seen <paramref name="task"/> unchanged: zero when it sees this generation, attempt
    /// and version for the first time.
    /// </summary>
    public TimeSpan Unchanged(JobTask task)
    {
        var now = _clock.GetTimestamp();
        var seen = new Sighting(task.Generation, task.Attempt, task.Version, now);
        var batches = _jobs.GetOrAdd(task.Job, _ => new ConcurrentDictionary<int, Sighting>());
        var held = batches.AddOrUpdate(task.Index, seen, (_, old) => old.SameItem(seen) ? old : seen);
        return _clock.GetElapsedTime(held.FirstSeen, now);
    }

    /// <summary>Stops watching one batch (it is in a state nothing waits on).</summary>
    public void Ended(JobTask task)
    {
        if (_jobs.TryGetValue(task.Job, out var batches) && batches.TryRemove(task.Index, out _) && batches.IsEmpty)
        {
            // Nothing of the job is watched any more (its batches all ended): keep no empty entry per finished job.
            _jobs.TryRemove(new KeyValuePair<string, ConcurrentDictionary<int, Sighting>>(task.Job, batches));
        }
    }

    /// <summary>Drops everything seen of <paramref name="job"/> (finished, deleted, or no longer this daemon's).</summary>
    public void Forget(string job) => _jobs.TryRemove(job, out _);

    /// <summary>Drops everything (a new leadership term starts watching afresh).</summary>
    public void Clear() => _jobs.Clear();

    /// <summary>Jobs with a batch watched.</summary>
    public int Jobs => _jobs.Count;

    public void ForgetAll() => Clear();

    /// <summary>Batches watched, over all jobs.</summary>
    public int Count => _jobs.Values.Sum(b => b.Count);

    private readonly record struct Sighting(long Generation, int Attempt, long Version, long FirstSeen)
    {
        public bool SameItem(Sighting other) => Generation == other.Generation && Attempt == other.Attempt && Version == other.Version;
    }
}
