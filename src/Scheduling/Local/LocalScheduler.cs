using System.Collections.Concurrent;
using System.Diagnostics;
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

    /// <summary>
    /// How long an ended submission stays listed, as Slurm keeps ended jobs in squeue for MinJobAge (300 s by
    /// default): the status controller reads the end of a task whose worker recorded nothing from it.
    /// </summary>
    public static readonly TimeSpan EndedListedFor = TimeSpan.FromMinutes(5);

    public Task<IReadOnlyList<ScheduledJob>> ListAsync(string? jobName, CancellationToken ct)
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var (id, submission) in _submissions)
        {
            if (!submission.Ended)
            {
                continue;
            }
            submission.EndedAt ??= now;
            if (Stopwatch.GetElapsedTime(submission.EndedAt.Value, now) > EndedListedFor && _submissions.TryRemove(id, out _))
            {
                submission.Dispose();
            }
        }
        return Task.FromResult<IReadOnlyList<ScheduledJob>>([.. _submissions.Values
            .Where(s => jobName is null || s.Request.JobName == jobName)
            .Select(s => s.Describe())]);
    }

    /// <summary>Cancels a submission, or one of its tasks as <c>{jobId}_{index}</c> (scancel's notation).</summary>
    public Task CancelAsync(string jobId, CancellationToken ct)
    {
        var underscore = jobId.IndexOf('_', StringComparison.Ordinal);
        if (underscore < 0)
        {
            if (_submissions.TryGetValue(jobId, out var whole))
            {
                whole.Cancel();
            }
        }
        else if (_submissions.TryGetValue(jobId[..underscore], out var submission)
            && int.TryParse(jobId.AsSpan(underscore + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            submission.CancelTask(index);
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
