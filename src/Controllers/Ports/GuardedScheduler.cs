namespace Coordinator.Controllers.Ports;

/// <summary>
/// The scheduler as the daemon uses it: every command that changes Slurm (sbatch, scancel, scontrol hold, release and
/// throttle) first asks the <see cref="ILeadershipGuard"/> and throws <see cref="LeadershipLostException"/> when this
/// daemon no longer holds the lease with more than the safety margin left; reads (squeue, MaxArraySize) pass through.
/// A thin decorator registered in the composition root: every member forwards to the inner scheduler.
/// </summary>
public sealed class GuardedScheduler(IScheduler inner, ILeadershipGuard guard) : IScheduler
{
    public IScheduler Inner => inner;

    public Task<string> SubmitAsync(SubmitRequest request, CancellationToken ct)
    {
        Ensure("sbatch", request.JobName);
        return inner.SubmitAsync(request, ct);
    }

    public Task<IReadOnlyList<ScheduledJob>> ListAsync(string? jobName, CancellationToken ct) => inner.ListAsync(jobName, ct);

    public Task CancelAsync(string jobId, CancellationToken ct)
    {
        Ensure("scancel", jobId);
        return inner.CancelAsync(jobId, ct);
    }

    public Task UpdateThrottleAsync(string jobId, int maxConcurrent, CancellationToken ct)
    {
        Ensure("scontrol update ArrayTaskThrottle", jobId);
        return inner.UpdateThrottleAsync(jobId, maxConcurrent, ct);
    }

    public Task HoldAsync(string jobId, CancellationToken ct)
    {
        Ensure("scontrol hold", jobId);
        return inner.HoldAsync(jobId, ct);
    }

    public Task ReleaseAsync(string jobId, CancellationToken ct)
    {
        Ensure("scontrol release", jobId);
        return inner.ReleaseAsync(jobId, ct);
    }

    public Task<int> GetMaxArraySizeAsync(CancellationToken ct) => inner.GetMaxArraySizeAsync(ct);

    private void Ensure(string command, string target)
    {
        if (!guard.MayActNow())
        {
            throw new LeadershipLostException(
                $"refused {command} {target}: this daemon does not hold the lease with enough of it left (term {guard.Term})");
        }
    }
}
