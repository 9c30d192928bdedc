using Coordinator.Reconciler.LeaderElection;
using Microsoft.Extensions.Time.Testing;

namespace Coordinator.Reconciler.Tests.LeaderElection;

public sealed class LeaseGuardTests
{
    private static readonly LeaderElectionOptions Defaults = new(); // 15 s lease, 5 s safety margin

    [Fact]
    public void Side_effects_are_refused_once_the_lease_left_on_the_monotonic_clock_is_under_the_margin()
    {
        var time = new FakeTimeProvider();
        var guard = new LeaseGuard(Defaults, time);
        Assert.False(guard.MayActNow()); // never held

        guard.Held(term: 3, sentAt: time.GetTimestamp());
        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.True(guard.MayActNow()); // 5.1 s of the lease left
        time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.False(guard.MayActNow()); // 4.9 s left: under the margin, though nothing told the guard the lease was lost
        Assert.Equal(3, guard.Term); // the term stays: a deposed leader's writes still carry it (and are refused)
    }

    [Fact]
    public void The_lease_counts_from_when_the_renewal_was_sent_not_from_when_its_reply_came()
    {
        var time = new FakeTimeProvider();
        var guard = new LeaseGuard(Defaults, time);
        var sent = time.GetTimestamp();
        time.Advance(TimeSpan.FromSeconds(4)); // a slow reply (or a pause) between sending the write and hearing back
        guard.Held(term: 1, sentAt: sent);
        time.Advance(TimeSpan.FromSeconds(5.9));
        Assert.True(guard.MayActNow());
        time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.False(guard.MayActNow()); // 10.1 s after the send
    }

    [Fact]
    public void A_dropped_lease_refuses_at_once_and_a_renewal_restores_it()
    {
        var time = new FakeTimeProvider();
        var guard = new LeaseGuard(Defaults, time);
        guard.Held(2, time.GetTimestamp());
        guard.Dropped();
        Assert.False(guard.MayActNow());
        guard.Held(2, time.GetTimestamp());
        Assert.True(guard.MayActNow());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(13)] // LeaseDuration - RetryPeriod: the guard would refuse right after every renewal
    public void A_margin_that_is_not_positive_or_leaves_no_time_to_act_is_rejected(double seconds)
    {
        var options = new LeaderElectionOptions { SafetyMargin = TimeSpan.FromSeconds(seconds) };
        Assert.Contains(options.Validate(), e => e.Contains("SafetyMargin", StringComparison.Ordinal));
    }

    [Fact]
    public void The_default_margin_is_valid() => Assert.Empty(Defaults.Validate());
}
