using Coordinator.Reconciler.Queue;
using Microsoft.Extensions.Time.Testing;

namespace Coordinator.Reconciler.Tests.Queue;

public sealed class RateLimiterTests
{
    [Theory]
    [InlineData(0, 5)]
    [InlineData(1, 10)]
    [InlineData(10, 5120)]
    [InlineData(17, 655_360)]
    [InlineData(18, 1_000_000)]
    [InlineData(1000, 1_000_000)]
    public void Exponential_delay_doubles_from_5ms_and_caps_at_1000s(int failures, double expectedMs)
    {
        var delay = RateLimiters.ExponentialDelay(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000), failures);
        Assert.Equal(expectedMs, delay.TotalMilliseconds, 3);
    }

    [Fact]
    public void The_token_bucket_allows_a_burst_then_spaces_retries_at_its_rate()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucketRateLimiter<string>(10, 3, time);

        Assert.Equal(TimeSpan.Zero, bucket.When("a"));
        Assert.Equal(TimeSpan.Zero, bucket.When("b"));
        Assert.Equal(TimeSpan.Zero, bucket.When("c"));
        Assert.Equal(100, bucket.When("d").TotalMilliseconds, 3);
        Assert.Equal(200, bucket.When("e").TotalMilliseconds, 3);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, bucket.When("f"));
    }

    [Fact]
    public void The_default_limiter_takes_the_longer_of_per_key_backoff_and_the_overall_rate()
    {
        var time = new FakeTimeProvider();
        var limiter = RateLimiters.Default<string>(new WorkQueueOptions { OverallRetriesPerSecond = 1, OverallRetryBurst = 1 }, time);

        Assert.Equal(5, limiter.When("a").TotalMilliseconds, 3);   // per-key 5 ms, bucket has a token
        Assert.Equal(1000, limiter.When("b").TotalMilliseconds, 3); // bucket empty: 1 s
        Assert.Equal(1, limiter.NumRequeues("a"));
        limiter.Forget("a");
        Assert.Equal(0, limiter.NumRequeues("a"));
    }
}
