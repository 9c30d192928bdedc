namespace Coordinator.Reconciler.Queue;

/// <summary>
/// An overall limit on retries across all keys: a token bucket of <c>burst</c> tokens refilled at <c>qps</c>
/// (client-go's BucketRateLimiter, default 10 qps / burst 100). It stops a storm of failing jobs from hammering
/// DynamoDB and Slurm, even when each job's own backoff is still short. Each When() reserves a token; the delay is
/// how long until that token exists.
/// </summary>
public sealed class TokenBucketRateLimiter<TKey>(double qps, int burst, TimeProvider time) : IRateLimiter<TKey>
{
    private readonly Lock _lock = new();
    private double _tokens = burst;
    private long _last = time.GetTimestamp();

    public TimeSpan When(TKey key)
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            _tokens = Math.Min(burst, _tokens + time.GetElapsedTime(_last, now).TotalSeconds * qps);
            _last = now;
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / qps);
        }
    }

    public void Forget(TKey key)
    {
    }

    public int NumRequeues(TKey key) => 0;
}
