using Coordinator.Controllers.Ports;

namespace Coordinator.Reconciler.Tests.Reconcile;

/// <summary>
/// Unit-test scheduler for the reconciler: lists the submissions a test seeds, records cancels. Submitting is not
/// the reconciler's business, so it refuses. The real Slurm adapter is tested against Slurm in Integration.Tests.
/// </summary>
internal sealed class ListingScheduler : IScheduler
{
    public List<ScheduledJob> Jobs { get; } = [];
    public List<string> Cancelled { get; } = [];

    /// <summary>Seeds one array submission of <paramref name="jobName"/> whose tasks are all in <paramref name="state"/>.</summary>
    public void Seed(string slurmId, string jobName, SchedulerTaskState state) =>
        Jobs.Add(new ScheduledJob(slurmId, jobName, "tok" + slurmId + "@0", [new ScheduledTask(slurmId, 0, state, null), new ScheduledTask(slurmId, 1, state, null)]));

    public Task<IReadOnlyList<ScheduledJob>> ListAsync(string? jobName, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<ScheduledJob>>([.. Jobs.Where(j => jobName is null || j.Name == jobName)]);

    public Task CancelAsync(string jobId, CancellationToken ct)
    {
        Cancelled.Add(jobId);
        return Task.CompletedTask;
    }

    public Task<string> SubmitAsync(SubmitRequest request, CancellationToken ct) => throw new NotSupportedException("the reconciler never submits");
    public Task UpdateThrottleAsync(string jobId, int maxConcurrent, CancellationToken ct) => throw new NotSupportedException();
    public Task HoldAsync(string jobId, CancellationToken ct) => throw new NotSupportedException();
    public Task ReleaseAsync(string jobId, CancellationToken ct) => throw new NotSupportedException();
    public Task<int> GetMaxArraySizeAsync(CancellationToken ct) => throw new NotSupportedException();
}
