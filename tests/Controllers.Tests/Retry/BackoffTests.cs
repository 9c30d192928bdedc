using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Retry;
using Coordinator.Model.Spec;

namespace Coordinator.Controllers.Tests.Retry;

/// <summary>The one capped exponential backoff, and the figures of the callers in Controllers (RetryPolicy, SlurmOutage).</summary>
public sealed class BackoffTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 8)]
    [InlineData(6, 64)]
    [InlineData(7, 100)]
    [InlineData(61, 100)]
    public void Exponential_DoublesFromTheInitialDelayAndIsCappedAtMax(int exponent, int expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), Backoff.Exponential(exponent, Second, TimeSpan.FromSeconds(100)));

    [Fact]
    public void Exponential_NegativeExponentCountsAsZero() =>
        Assert.Equal(Second, Backoff.Exponential(-5, Second, TimeSpan.FromSeconds(100)));

    [Theory]
    [InlineData(Backoff.MaxExponent)]
    [InlineData(1_000)]
    [InlineData(int.MaxValue)]
    public void Exponential_LargeExponentsGiveMaxWithoutOverflow(int exponent)
    {
        Assert.Equal(TimeSpan.FromSeconds(100), Backoff.Exponential(exponent, Second, TimeSpan.FromSeconds(100)));
        Assert.Equal(TimeSpan.FromSeconds(100), Backoff.Exponential(exponent, TimeSpan.Zero, TimeSpan.FromSeconds(100)));
    }

    [Fact]
    public void Exponential_OtherFactors() =>
        Assert.Equal(
            new double[] { 200, 300, 450, 675, 1000 },
            Enumerable.Range(0, 5).Select(e => Backoff.Exponential(e, TimeSpan.FromMilliseconds(200), Second, factor: 1.5).TotalMilliseconds));

    [Fact]
    public void Exponential_ZeroInitialStaysZeroBelowMaxExponent() =>
        Assert.Equal(TimeSpan.Zero, Backoff.Exponential(30, TimeSpan.Zero, TimeSpan.FromSeconds(10)));

    [Fact]
    public void RetryPolicy_AttemptIsOneBased_BaseTimesTwoToTheAttemptMinusOne()
    {
        var spec = new BackoffSpec { Base = TimeSpan.FromSeconds(10), Max = TimeSpan.FromMinutes(10) };
        Assert.Equal(
            new double[] { 10, 10, 10, 20, 40, 80, 160, 320, 600, 600 },
            new[] { -1, 0, 1, 2, 3, 4, 5, 6, 7, 100 }.Select(a => RetryPolicy.BackoffDelay(a, spec).TotalSeconds));
    }

    [Fact]
    public void SlurmOutage_OneSecondDoublingToThirtySeconds() =>
        Assert.Equal(
            new double[] { 1, 2, 4, 8, 16, 30, 30 },
            new[] { 1, 2, 3, 4, 5, 6, int.MaxValue }.Select(f => SlurmOutage.RetryDelay(f).TotalSeconds));
}
