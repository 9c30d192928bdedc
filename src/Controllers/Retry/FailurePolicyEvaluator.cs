using Coordinator.Model.Spec;

namespace Coordinator.Controllers.Retry;

/// <summary>Whether a job can still succeed given its failed batches, and whether it ran past its deadline. Pure.</summary>
public static class FailurePolicyEvaluator
{
    /// <summary>
    /// The most failed batches the policy tolerates: the larger of toleratedFailureCount and
    /// floor(total × toleratedFailurePercent / 100), so either setting alone is enough to tolerate a failure.
    /// </summary>
    public static long ToleratedFailures(long totalBatches, FailurePolicySpec policy)
    {
        var byPercent = (long)Math.Floor(totalBatches * policy.ToleratedFailurePercent / 100.0);
        return Math.Max(policy.ToleratedFailureCount, byPercent);
    }

    /// <summary>True while the failed batches are within what the policy tolerates.</summary>
    public static bool IsTolerated(long failedBatches, long totalBatches, FailurePolicySpec policy) =>
        failedBatches <= ToleratedFailures(totalBatches, policy);

    /// <summary>True when the job started and has run longer than its activeDeadline.</summary>
    public static bool IsPastDeadline(DateTimeOffset? startedAt, DateTimeOffset now, TimeSpan? activeDeadline) =>
        startedAt is { } start && activeDeadline is { } deadline && now - start > deadline;
}
