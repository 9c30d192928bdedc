using System.Collections.Concurrent;
using System.Globalization;
using Coordinator.Controllers.Ports;
using Coordinator.Scheduling.Slurm;

namespace Coordinator.Scheduling.Local;

/// <summary>
/// A process pool that runs the same worker command as Slurm would, for development on a laptop without Slurm. Each
/// "array task" is a child process with SLURM_ARRAY_TASK_ID set, at most MaxConcurrent at a time, its stdout/stderr
/// in the log directory. Submissions live in this process's memory: they end with the daemon. It is never a
/// substitute for Slurm in tests that claim Slurm.
/// </summary>
public sealed class LocalScheduler : IScheduler, IDisposable
{
    private readonly ConcurrentDictionary<string, LocalSubmission> _submissions = new(StringComparer.Ordinal);
    private long _nextId = 1;

    public Task<string> SubmitAsync(SubmitRequest request, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        var submission = new LocalSubmission(id, request);
        _submissions[id] = submission;
        submission.Start();
        return Task.FromResult(id);
    }

    public Task<IReadOnlyList<ScheduledJob>> ListAsync(string? jobName, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<ScheduledJob>>([.. _submissions.Values
            .Where(s => jobName is null || s.Request.JobName == jobName)
            .Select(s => s.Describe())]);

    public Task CancelAsync(string jobId, CancellationToken ct)
    {
        if (_submissions.TryGetValue(jobId, out var submission))
        {
            submission.Cancel();
        }
        return Task.CompletedTask;
    }

    public Task UpdateThrottleAsync(string jobId, int maxConcurrent, CancellationToken ct)
    {
        if (_submissions.TryGetValue(jobId, out var submission))
        {
            submission.Throttle = Math.Max(1, maxConcurrent);
        }
        return Task.CompletedTask;
    }

    public Task HoldAsync(string jobId, CancellationToken ct)
    {
        if (_submissions.TryGetValue(jobId, out var submission))
        {
            submission.Held = true;
        }
        return Task.CompletedTask;
    }

    public Task ReleaseAsync(string jobId, CancellationToken ct)
    {
        if (_submissions.TryGetValue(jobId, out var submission))
        {
            submission.Held = false;
        }
        return Task.CompletedTask;
    }

    public Task<int> GetMaxArraySizeAsync(CancellationToken ct) => Task.FromResult(SlurmConfigReader.DefaultMaxArraySize);

    public void Dispose()
    {
        foreach (var submission in _submissions.Values)
        {
            submission.Cancel();
            submission.Dispose();
        }
    }
}
