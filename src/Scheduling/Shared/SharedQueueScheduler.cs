using Coordinator.Controllers.Ports;

namespace Coordinator.Scheduling.Shared;

/// <summary>
/// One squeue for the whole deployment per pass, shared by every job: <see cref="ListAsync"/> of any job name (or of
/// all) is served from one listing of everything the deployment has in Slurm, taken at most
/// <paramref name="maxAge"/> ago, so a reconcile pass over N jobs costs one squeue instead of N, and the
/// outstanding-task budget across jobs is counted from the same listing. Concurrent callers wait for the same squeue.
/// <para>
/// A listing is never used once this daemon has submitted, cancelled, held, released or re-throttled anything after
/// it started (whether or not that call succeeded: an sbatch that timed out may still have been accepted): the next
/// call lists again. So the job that just submitted, and the next job deciding on the budget, both see the submission;
/// what only another deployment or Slurm itself changed is seen at most <paramref name="maxAge"/> late. A failed
/// squeue is not kept: every caller waiting on it gets its error, the next call asks again.
/// </para>
/// </summary>
/// <param name="inner">The scheduler adapter (Slurm, already scoped to the deployment and user).</param>
/// <param name="time">The monotonic clock a listing's age is measured on.</param>
/// <param name="maxAge">How long a listing serves (zero: every call lists, as without this decorator).</param>
public sealed class SharedQueueScheduler(IScheduler inner, TimeProvider time, TimeSpan maxAge) : IScheduler
{
    private readonly Lock _gate = new();

    /// <summary>The scheduler the shared listing is read from.</summary>
    public IScheduler Inner => inner;
    private long _epoch;
    private Listing? _last;
    private Task<Listing>? _refresh;
    private long _refreshEpoch = -1;

    /// <summary>Everything listed, the mutation epoch it started in, and when (monotonic timestamp).</summary>
    private sealed record Listing(IReadOnlyList<ScheduledJob> Jobs, long Epoch, long StartedAt);

    /// <summary>squeue calls made through this decorator (tests and figures).</summary>
    public long Listings => Interlocked.Read(ref _listings);

    private long _listings;

    public async Task<IReadOnlyList<ScheduledJob>> ListAsync(string? jobName, CancellationToken ct)
    {
        var listing = await CurrentAsync(ct).ConfigureAwait(false);
        return jobName is null ? listing.Jobs : [.. listing.Jobs.Where(j => string.Equals(j.Name, jobName, StringComparison.Ordinal))];
    }

    private Task<Listing> CurrentAsync(CancellationToken ct)
    {
        Task<Listing> refresh;
        lock (_gate)
        {
            if (_last is { } last && last.Epoch == _epoch && time.GetElapsedTime(last.StartedAt) < maxAge)
            {
                return Task.FromResult(last);
            }
            if (_refresh is null || _refreshEpoch != _epoch)
            {
                _refreshEpoch = _epoch;
                _refresh = RefreshAsync(_epoch);
            }
            refresh = _refresh;
        }
        return refresh.WaitAsync(ct);
    }

    /// <summary>One squeue, shared by whoever asks while it runs; not bound to any one caller's cancellation.</summary>
    private async Task<Listing> RefreshAsync(long epoch)
    {
        await Task.Yield();
        var started = time.GetTimestamp();
        Interlocked.Increment(ref _listings);
        try
        {
            var listing = new Listing(await inner.ListAsync(null, CancellationToken.None).ConfigureAwait(false), epoch, started);
            lock (_gate)
            {
                if (listing.Epoch == _epoch)
                {
                    _last = listing;
                }
            }
            return listing;
        }
        finally
        {
            lock (_gate)
            {
                if (_refreshEpoch == epoch)
                {
                    _refresh = null;
                    _refreshEpoch = -1;
                }
            }
        }
    }

    /// <summary>After this daemon changed what Slurm holds: no listing started before now is used again.</summary>
    private void Invalidate()
    {
        lock (_gate)
        {
            _epoch++;
            _last = null;
        }
    }

    private async Task<T> MutateAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        finally
        {
            Invalidate();
        }
    }

    private async Task MutateAsync(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        finally
        {
            Invalidate();
        }
    }

    public Task<string> SubmitAsync(SubmitRequest request, CancellationToken ct) => MutateAsync(() => inner.SubmitAsync(request, ct));

    public Task CancelAsync(string jobId, CancellationToken ct) => MutateAsync(() => inner.CancelAsync(jobId, ct));

    public Task UpdateThrottleAsync(string jobId, int maxConcurrent, CancellationToken ct) => MutateAsync(() => inner.UpdateThrottleAsync(jobId, maxConcurrent, ct));

    public Task HoldAsync(string jobId, CancellationToken ct) => MutateAsync(() => inner.HoldAsync(jobId, ct));

    public Task ReleaseAsync(string jobId, CancellationToken ct) => MutateAsync(() => inner.ReleaseAsync(jobId, ct));

    public Task<int> GetMaxArraySizeAsync(CancellationToken ct) => inner.GetMaxArraySizeAsync(ct);
}
