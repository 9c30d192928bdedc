using Coordinator.Aws.Provisioning;
using Coordinator.Reconciler.Feed;
using Coordinator.Reconciler.Queue;

namespace Coordinator.Reconciler.Tests.Retry;

/// <summary>
/// The figures of every Backoff caller outside Controllers, pinned as they were before the copies were folded into
/// <c>Backoff.Exponential</c>: work queue, change feed pacing and list retry, and the provisioner's wait for ACTIVE.
/// </summary>
public sealed class BackoffFiguresTests
{
    [Fact]
    public void WorkQueue_FailuresAreTheExponent_FiveMillisecondsToThousandSeconds() =>
        Assert.Equal(
            new double[] { 5, 10, 20, 40, 5_120, 1_000_000, 1_000_000, 1_000_000 },
            new[] { 0, 1, 2, 3, 10, 18, 62, int.MaxValue }.Select(f =>
                RateLimiters.ExponentialDelay(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000), f).TotalMilliseconds));

    [Fact]
    public void WorkQueue_LimiterCountsFromZero()
    {
        var limiter = new ExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000));
        Assert.Equal(new double[] { 5, 10, 20 }, Enumerable.Range(0, 3).Select(_ => limiter.When("a").TotalMilliseconds));
    }

    [Fact]
    public void Feed_ErrorBackoff_ErrorsAreTheExponentCappedAtThirty()
    {
        var options = new FeedOptions { MinPollInterval = TimeSpan.FromMilliseconds(200), MaxErrorBackoff = TimeSpan.FromSeconds(10) };
        Assert.Equal(new double[] { 200, 400, 800, 6_400, 10_000 }, new[] { 0, 1, 2, 5, 50 }.Select(e => PollPacer.ErrorBackoff(options, e).TotalMilliseconds));
        var zero = new FeedOptions { MinPollInterval = TimeSpan.Zero, MaxErrorBackoff = TimeSpan.FromSeconds(10) };
        Assert.Equal(TimeSpan.Zero, PollPacer.ErrorBackoff(zero, int.MaxValue));
    }

    [Fact]
    public void Feed_IdleInterval_GrowsByHalfAfterTheEmptyPolls()
    {
        var options = new FeedOptions { MinPollInterval = TimeSpan.FromMilliseconds(200), MaxIdlePollInterval = TimeSpan.FromSeconds(1), EmptyPollsBeforeIdle = 3 };
        Assert.Equal(new double[] { 200, 200, 300, 450, 675, 1000, 1000 }, new[] { 0, 2, 3, 4, 5, 6, 1_000 }.Select(n => PollPacer.NextInterval(options, n).TotalMilliseconds));
    }

    [Fact]
    public void ChangeFeed_ListRetry_HalfASecondDoublingToThirtySeconds() =>
        Assert.Equal(
            new double[] { 500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000 },
            new[] { 1, 2, 3, 4, 5, 6, 7, 1_000 }.Select(a => ChangeFeed.ListRetryBackoff(a).TotalMilliseconds));

    [Fact]
    public void Provisioner_WaitForActive_ATenthOfASecondDoublingToTwoSeconds() =>
        Assert.Equal(
            new double[] { 100, 200, 400, 800, 1_600, 2_000, 2_000 },
            new[] { 1, 2, 3, 4, 5, 6, 100 }.Select(l => StackProvisioner.ActivePollBackoff(l).TotalMilliseconds));
}
