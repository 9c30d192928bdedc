namespace Coordinator.Reconciler.Queue;

/// <summary>
/// Per-key exponential backoff: base × 2^failures, capped (client-go's ItemExponentialFailureRateLimiter, whose
/// controller-runtime defaults are 5 ms and 1000 s). A job that keeps failing is retried ever more slowly, without
/// delaying any other job.
/// </summary>
public sealed class ExponentialFailureRateLimiter<TKey>(TimeSpan baseDelay, TimeSpan maxDelay) : IRateLimiter<TKey>
    where TKey : notnull
{
    private readonly Dictionary<TKey, int> _failures = [];
    private readonly Lock _lock = new();

    public TimeSpan When(TKey key)
    {
        int failures;
        lock (_lock)
        {
            failures = _failures.GetValueOrDefault(key);
            _failures[key] = failures + 1;
        }
        return RateLimiters.ExponentialDelay(baseDelay, maxDelay, failures);
    }

    public void Forget(TKey key)
    {
        lock (_lock)
        {
            _failures.Remove(key);
        }
    }

    public int NumRequeues(TKey key)
    {
        lock (_lock)
        {
            return _failures.GetValueOrDefault(key);
        }
    }
}
