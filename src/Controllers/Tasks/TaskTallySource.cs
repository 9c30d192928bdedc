using System.Collections.Concurrent;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Spec;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Tasks;

/// <summary>
/// Reads a job's tasks and its live Slurm submissions, and keeps the last read per job for
/// <see cref="DispatchOptions.RescanInterval"/> (Coordinator:Dispatch) so a burst of task events costs one read. squeue is read before the
/// tasks: a batch that is no longer queued has by then either recorded its outcome or never started, so the pair
/// never shows a finished batch as ready.
/// <para>
/// With a <see cref="TaskEventLog"/> (the daemon feeds it from the tasks stream), a stale snapshot is refreshed by
/// squeue plus the task images that changed since, folded in by version: O(changed) round trips. A full paged read
/// still happens every <see cref="DispatchOptions.FullRecountInterval"/>, after a stream gap, when a caller asks
/// for one (maxAge zero: dispatch does before it submits), and after <see cref="Invalidate"/>.
/// </para>
/// </summary>
public sealed class TaskTallySource(IStateStore state, IScheduler scheduler, CoordinatorOptions options, TaskEventLog? events = null, TaskWatch? watch = null)
    : IJobMemory
{
    private readonly ConcurrentDictionary<string, Snapshot> _cache = new(StringComparer.Ordinal);

    /// <summary>This daemon's own observations of the task items, which liveness and backoff are judged by.</summary>
    public TaskWatch Watch { get; } = watch ?? new TaskWatch();

    /// <param name="ReadAt">When squeue and the tasks were last brought up to date.</param>
    /// <param name="FullReadAt">When every task was last read from the store (ReadAt when this pass did).</param>
    /// <param name="Generation">The job generation this view belongs to.</param>
    /// <param name="Tasks">Every task of the job, by index.</param>
    /// <param name="InFlight">What squeue showed live.</param>
    /// <param name="Tally">The pure view built from the two.</param>
    /// <param name="Gaps">The event log's gap count at the full read.</param>
    public sealed record Snapshot(
        DateTimeOffset ReadAt, DateTimeOffset FullReadAt, long Generation, IReadOnlyList<JobTask> Tasks, InFlight InFlight, TaskTally Tally, long Gaps = 0);

    public async Task<Snapshot> GetAsync(Job job, DateTimeOffset now, TimeSpan maxAge, CancellationToken ct)
    {
        var hasCached = _cache.TryGetValue(job.Name, out var cached) && cached!.Generation == job.Generation;
        if (hasCached && now - cached!.ReadAt < maxAge)
        {
            return cached;
        }
        var inFlight = InFlight.From(await scheduler.ListAsync(job.Name, ct).ConfigureAwait(false));
        var arrayMode = job.Spec.Dispatch.Mode == DispatchMode.Array;
        Snapshot snapshot;
        if (hasCached && events is not null && maxAge > TimeSpan.Zero && cached!.Gaps == events.Gaps
            && now - cached.FullReadAt < options.Dispatch.FullRecountInterval)
        {
            var tasks = Patch(cached.Tasks, events.Drain(job.Name), job.Generation);
            var tally = TaskTally.From(tasks, inFlight, Watch, options.Heartbeat.StaleAfter, arrayMode);
            snapshot = cached with { ReadAt = now, Tasks = tasks, InFlight = inFlight, Tally = tally };
        }
        else
        {
            var gaps = events?.Gaps ?? 0;
            events?.Watch(job.Name);
            var tasks = await TaskReader.ReadAllAsync(state, job.Name, job.Generation, ct).ConfigureAwait(false);
            var tally = TaskTally.From(tasks, inFlight, Watch, options.Heartbeat.StaleAfter, arrayMode);
            snapshot = new Snapshot(now, now, job.Generation, tasks, inFlight, tally, gaps);
        }
        _cache[job.Name] = snapshot;
        return snapshot;
    }

    /// <summary>
    /// Folds changed images into the last read: a newer image of a known batch replaces it, a batch of this generation
    /// not seen before is added, older or other-generation images are ignored. Order by index is kept.
    /// </summary>
    public static IReadOnlyList<JobTask> Patch(IReadOnlyList<JobTask> tasks, IReadOnlyCollection<JobTask> changed, long generation)
    {
        if (changed.Count == 0)
        {
            return tasks;
        }
        var byIndex = new SortedDictionary<int, JobTask>();
        foreach (var task in tasks)
        {
            byIndex[task.Index] = task;
        }
        foreach (var task in changed)
        {
            if (task.Generation != generation)
            {
                continue;
            }
            if (!byIndex.TryGetValue(task.Index, out var held) || TaskEventLog.IsNewer(task, held))
            {
                byIndex[task.Index] = task;
            }
        }
        return [.. byIndex.Values];
    }

    /// <summary>Forget a job's last read (after this pass changed tasks, or when the job is gone).</summary>
    public void Invalidate(string jobName) => _cache.TryRemove(jobName, out _);

    public int Jobs => _cache.Count;

    public void Forget(string job) => Invalidate(job);

    public void ForgetAll() => _cache.Clear();
}
