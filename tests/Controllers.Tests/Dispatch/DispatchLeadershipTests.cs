using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
using Coordinator.Testing.State;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Controllers.Tests.Dispatch;

/// <summary>The dispatch intent is a lock on the wave: a deposed leader neither writes it nor submits.</summary>
public sealed class DispatchLeadershipTests
{
    [Fact]
    public async Task A_leader_of_an_older_term_that_still_believes_it_leads_loses_the_intent_write_and_submits_nothing()
    {
        using var f = new ControllerFixture();
        var job = await f.StoredJobAsync("wave", tasks: 4);
        job.LeaderTerm = 2; // the new leader has written this job already
        f.State.Seed(job);
        var stale = new FixedLeadership(1); // its lease ran out during a pause; its guard was last asked before it
        f.State.Leadership = stale;

        var read = (await f.State.GetJobAsync("wave", default))!;
        var context = new JobContext(read, f.Now, f.State.UpdateJobStatusAsync);
        await Assert.ThrowsAsync<ConflictException>(() => Controller(f, stale).ReconcileAsync(context, default));

        Assert.Empty(f.Scheduler.Submitted);
        Assert.Null(f.State.Peek("wave")!.Status.Dispatch);
    }

    [Fact]
    public async Task A_leader_whose_guard_says_no_writes_no_intent_and_submits_nothing()
    {
        using var f = new ControllerFixture();
        await f.StoredJobAsync("wave", tasks: 4);
        var guard = new FixedLeadership(3, mayAct: false);
        f.State.Leadership = guard;

        var read = (await f.State.GetJobAsync("wave", default))!;
        var context = new JobContext(read, f.Now, f.State.UpdateJobStatusAsync);
        await Assert.ThrowsAsync<LeadershipLostException>(() => Controller(f, guard).ReconcileAsync(context, default));

        Assert.Empty(f.Scheduler.Submitted);
        Assert.Null(f.State.Peek("wave")!.Status.Dispatch);
    }

    private static DispatchController Controller(ControllerFixture f, ILeadershipGuard guard) =>
        new(f.Scheduler, f.Tallies, f.Options, NullLogger<DispatchController>.Instance, f.Outage, guard);
}
