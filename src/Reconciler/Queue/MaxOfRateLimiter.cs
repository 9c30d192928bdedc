namespace Coordinator.Reconciler.Queue;

/// <summary>The longest delay any of the limiters asks for (client-go's MaxOfRateLimiter).</summary>
public sealed class MaxOfRateLimiter<TKey>(params IRateLimiter<TKey>[] limiters) : IRateLimiter<TKey>
    where TKey : notnull
{
    public TimeSpan When(TKey key)
    {
        var delay = TimeSpan.Zero;
        foreach (var limiter in limiters)
        {
            var next = limiter.When(key);
            if (next > delay)
            {
                delay = next;
            }
        }
        return delay;
    }

    public void Forget(TKey key)
    {
        foreach (var limiter in limiters)
        {
            limiter.Forget(key);
        }
    }

    public int NumRequeues(TKey key) => limiters.Max(l => l.NumRequeues(key));
}
