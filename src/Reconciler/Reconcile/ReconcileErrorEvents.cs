using System.Collections.Concurrent;
using Coordinator.Controllers.Pipeline;
using Coordinator.Model.Status;

namespace Coordinator.Reconciler.Reconcile;

/// <summary>
/// Reconcile errors waiting to be written onto their job as events (<see cref="JobStatus.Events"/>), and when each
/// job's were last written. The work queue retries a failing job with backoff (5 ms doubling to 1,000 s), so a pass can
/// fail many times a minute at first: every failure is counted here, but a job's events are written at most once per
/// <see cref="WriteInterval"/>, the first one at once; the repeats in between go out with the next write as
/// count + N (Kubernetes' event aggregation). The memory may be dropped at any time (a new term, a restart): what is
/// lost is only the count of repeats not yet written, never an event that was written.
/// </summary>
public sealed class ReconcileErrorEvents(TimeProvider? time = null) : IJobMemory
{
    /// <summary>Reason of the events recorded for an exception out of a pass.</summary>
    public const string Reason = "ReconcileError";

    /// <summary>Shortest time between two event writes for one job.</summary>
    public static readonly TimeSpan WriteInterval = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, Pending> _jobs = new(StringComparer.Ordinal);

    public int Jobs => _jobs.Count;

    /// <summary>
    /// Counts one occurrence. Returns the job's unwritten events when a write is due (nothing written for this job
    /// yet, or not for <see cref="WriteInterval"/>), and takes them: the caller writes them, or gives them back
    /// (<see cref="Restore"/>) when it cannot. Null: not due, kept for a later write.
    /// </summary>
    public IReadOnlyList<JobEvent>? Note(string job, JobEvent occurrence)
    {
        var pending = _jobs.GetOrAdd(job, _ => new Pending());
        lock (pending)
        {
            JobEvents.Record(pending.Events, occurrence);
            if (pending.LastWrite is { } last && _time.GetElapsedTime(last) < WriteInterval)
            {
                return null;
            }
            var due = pending.Events;
            pending.Events = [];
            pending.LastWrite = _time.GetTimestamp();
            return due;
        }
    }

    /// <summary>Gives back events a write could not record; they go out with the next due write.</summary>
    public void Restore(string job, IReadOnlyList<JobEvent> events)
    {
        var pending = _jobs.GetOrAdd(job, _ => new Pending());
        lock (pending)
        {
            foreach (var e in events)
            {
                JobEvents.Record(pending.Events, e);
            }
        }
    }

    public void Forget(string job) => _jobs.TryRemove(job, out _);

    public void ForgetAll() => _jobs.Clear();

    private sealed class Pending
    {
        public List<JobEvent> Events { get; set; } = [];
        public long? LastWrite { get; set; }
    }
}
