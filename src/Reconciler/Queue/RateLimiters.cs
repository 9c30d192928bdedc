using Coordinator.Controllers.Retry;

namespace Coordinator.Reconciler.Queue;

/// <summary>The pure backoff calculation, and the default limiter the reconcile loop uses.</summary>
public static class RateLimiters
{
    /// <summary>base × 2^failures, capped at <paramref name="max"/>, without overflowing for large counts.</summary>
    public static TimeSpan ExponentialDelay(TimeSpan baseDelay, TimeSpan max, int failures) => Backoff.Exponential(failures, baseDelay, max);

    /// <summary>controller-runtime's default: per-key 5 ms → 1000 s, and 10 qps / burst 100 overall.</summary>
    public static IRateLimiter<TKey> Default<TKey>(WorkQueueOptions options, TimeProvider time) where TKey : notnull => new MaxOfRateLimiter<TKey>(
        new ExponentialFailureRateLimiter<TKey>(options.BaseRetryDelay, options.MaxRetryDelay),
        new TokenBucketRateLimiter<TKey>(options.OverallRetriesPerSecond, options.OverallRetryBurst, time));
}
