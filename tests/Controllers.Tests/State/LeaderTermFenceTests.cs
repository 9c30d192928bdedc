using Coordinator.Controllers.Ports;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Testing.State;

namespace Coordinator.Controllers.Tests.State;

/// <summary>The in-memory state store keeps DynamoStateStore's term fence (the real one: DynamoStateStoreTests on moto and DynamoDB Local).</summary>
public sealed class LeaderTermFenceTests
{
    [Fact]
    public async Task A_deposed_leaders_status_write_is_refused_even_at_the_version_it_read()
    {
        var store = new InMemoryStateStore();
        store.UserPut(new Job { Name = "zeta" });
        store.Leadership = new FixedLeadership(2);
        var job = (await store.GetJobAsync("zeta", default))!;
        job.Status.Message = "term 2";
        job.Version = await store.UpdateJobStatusAsync(job, default);

        store.Leadership = new FixedLeadership(1);
        var stale = (await store.GetJobAsync("zeta", default))!;
        Assert.Equal(job.Version, stale.Version);
        stale.Status.Phase = JobPhase.Failed;
        await Assert.ThrowsAsync<ConflictException>(() => store.UpdateJobStatusAsync(stale, default));
        Assert.Equal(("term 2", 1L, 2L), (store.Peek("zeta")!.Status.Message, store.Peek("zeta")!.Version, store.Peek("zeta")!.LeaderTerm ?? 0));

        store.Leadership = Unfenced.Instance; // the CLI: no term carried, none stamped
        var cli = store.Peek("zeta")!;
        cli.Status.Message = "cli";
        await store.UpdateJobStatusAsync(cli, default);
        Assert.Equal(2, store.Peek("zeta")!.LeaderTerm);
    }
}
