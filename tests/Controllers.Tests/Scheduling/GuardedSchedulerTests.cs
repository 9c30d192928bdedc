using Coordinator.Controllers.Ports;
using Coordinator.Testing.Scheduling;
using Coordinator.Testing.State;

namespace Coordinator.Controllers.Tests.Scheduling;

public sealed class GuardedSchedulerTests
{
    [Fact]
    public async Task Every_command_that_changes_Slurm_is_refused_when_the_guard_says_no_and_reads_still_pass()
    {
        var inner = new FakeScheduler();
        var guard = new FixedLeadership(4, mayAct: false);
        var scheduler = new GuardedScheduler(inner, guard);

        await Assert.ThrowsAsync<LeadershipLostException>(() => scheduler.SubmitAsync(SubmitRequests.For(["true"], new Dictionary<string, string>(), jobName: "job"), default));
        await Assert.ThrowsAsync<LeadershipLostException>(() => scheduler.CancelAsync("100", default));
        await Assert.ThrowsAsync<LeadershipLostException>(() => scheduler.UpdateThrottleAsync("100", 2, default));
        await Assert.ThrowsAsync<LeadershipLostException>(() => scheduler.HoldAsync("100", default));
        await Assert.ThrowsAsync<LeadershipLostException>(() => scheduler.ReleaseAsync("100", default));
        Assert.Empty(inner.Submitted);
        Assert.Empty(inner.Calls);
        Assert.Empty(await scheduler.ListAsync("job", default));
        Assert.Equal(inner.MaxArraySize, await scheduler.GetMaxArraySizeAsync(default));

        guard.MayAct = true;
        await scheduler.SubmitAsync(SubmitRequests.For(["true"], new Dictionary<string, string>(), jobName: "job"), default);
        await scheduler.CancelAsync("100", default);
        await scheduler.UpdateThrottleAsync("100", 2, default);
        await scheduler.HoldAsync("100", default);
        await scheduler.ReleaseAsync("100", default);
        Assert.Single(inner.Submitted);
        Assert.Equal(["cancel 100", "throttle 100 2", "hold 100", "release 100"], inner.Calls);
    }
}
