using Coordinator.Controllers.Ports;

namespace Coordinator.Scheduling.Shared;

/// <summary>Skeleton (red): passes every call through.</summary>
public sealed class SharedQueueScheduler(IScheduler inner, TimeProvider time, TimeSpan maxAge) : IScheduler
{
    private readonly TimeProvider _time = time;
    private readonly TimeSpan _maxAge = maxAge;

    public Task<string> SubmitAsync(SubmitRequest request, CancellationToken ct) => inner.SubmitAsync(request, ct);
    public Task<IReadOnlyList<ScheduledJob>> ListAsync(string? jobName, CancellationToken ct) => inner.ListAsync(jobName, ct);
    public Task CancelAsync(string jobId, CancellationToken ct) => inner.CancelAsync(jobId, ct);
    public Task UpdateThrottleAsync(string jobId, int maxConcurrent, CancellationToken ct) => inner.UpdateThrottleAsync(jobId, maxConcurrent, ct);
    public Task HoldAsync(string jobId, CancellationToken ct) => inner.HoldAsync(jobId, ct);
    public Task ReleaseAsync(string jobId, CancellationToken ct) => inner.ReleaseAsync(jobId, ct);
    public Task<int> GetMaxArraySizeAsync(CancellationToken ct) => inner.GetMaxArraySizeAsync(ct);
    public override string ToString() => $"{_time}{_maxAge}";
}
