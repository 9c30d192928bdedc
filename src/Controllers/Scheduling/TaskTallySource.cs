using System.Collections.Concurrent;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Spec;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Scheduling;

/// <summary>
/// Reads a job's tasks (paged) and its live Slurm submissions, and keeps the last read per job for
/// <see cref="DispatchDefaults.RescanInterval"/> so a burst of task events costs one read. squeue is read before the
/// tasks: a batch that is no longer queued has by then either recorded its outcome or never started, so the pair
/// never shows a finished batch as ready.
/// </summary>
public sealed class TaskTallySource(IStateStore state, IScheduler scheduler)
{
    private readonly ConcurrentDictionary<string, Snapshot> _cache = new(StringComparer.Ordinal);

    public sealed record Snapshot(DateTimeOffset ReadAt, long Generation, IReadOnlyList<JobTask> Tasks, InFlight InFlight, TaskTally Tally);

    public async Task<Snapshot> GetAsync(Job job, DateTimeOffset now, TimeSpan maxAge, CancellationToken ct)
    {
        if (_cache.TryGetValue(job.Name, out var cached) && cached.Generation == job.Generation && now - cached.ReadAt < maxAge)
        {
            return cached;
        }
        var inFlight = InFlight.From(await scheduler.ListAsync(job.Name, ct).ConfigureAwait(false));
        var tasks = new List<JobTask>();
        string? token = null;
        do
        {
            var page = await state.QueryTasksAsync(job.Name, token, DispatchDefaults.PageSize, ct).ConfigureAwait(false);
            tasks.AddRange(page.Tasks);
            token = page.NextToken;
        }
        while (token is not null);
        var tally = TaskTally.From(tasks, inFlight, now, DispatchDefaults.HeartbeatStaleAfter, job.Spec.Dispatch.Mode == DispatchMode.Array);
        var snapshot = new Snapshot(now, job.Generation, tasks, inFlight, tally);
        _cache[job.Name] = snapshot;
        return snapshot;
    }

    /// <summary>Forget a job's last read (after this pass changed tasks, or when the job is gone).</summary>
    public void Invalidate(string jobName) => _cache.TryRemove(jobName, out _);
}
