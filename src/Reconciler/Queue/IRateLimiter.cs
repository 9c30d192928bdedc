namespace Coordinator.Reconciler.Queue;

/// <summary>How long a key must wait before it is retried (client-go's workqueue.RateLimiter).</summary>
public interface IRateLimiter<in TKey>
{
    /// <summary>The delay before the next retry of <paramref name="key"/>; each call counts as one more failure.</summary>
    TimeSpan When(TKey key);

    /// <summary>The key succeeded: forget its failures so its next error starts from the base delay.</summary>
    void Forget(TKey key);

    /// <summary>How many times the key has been retried since it was last forgotten.</summary>
    int NumRequeues(TKey key);
}
