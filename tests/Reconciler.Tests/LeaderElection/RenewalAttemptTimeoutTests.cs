using Coordinator.Reconciler.LeaderElection;

namespace Coordinator.Reconciler.Tests.LeaderElection;

public sealed class RenewalAttemptTimeoutTests
{
    private static readonly LeaderElectionOptions Defaults = new(); // 15 s lease, 10 s renew deadline, 2 s retry

    [Fact]
    public void One_attempt_may_use_a_third_of_the_renew_deadline_so_a_slow_call_leaves_room_for_two_more() =>
        Assert.Equal(TimeSpan.FromSeconds(10) / 3, LeaderElector.RenewalAttemptTimeout(Defaults, TimeSpan.FromSeconds(8)));

    [Fact]
    public void An_attempt_never_runs_past_the_deadline() =>
        Assert.Equal(TimeSpan.FromSeconds(1.5), LeaderElector.RenewalAttemptTimeout(Defaults, TimeSpan.FromSeconds(1.5)));

    [Fact]
    public void An_attempt_gets_at_least_the_retry_period_when_the_deadline_is_short()
    {
        var tight = new LeaderElectionOptions { RenewDeadline = TimeSpan.FromSeconds(3), RetryPeriod = TimeSpan.FromSeconds(2), LeaseDuration = TimeSpan.FromSeconds(4) };
        Assert.Equal(TimeSpan.FromSeconds(2), LeaderElector.RenewalAttemptTimeout(tight, TimeSpan.FromSeconds(3)));
    }
}
