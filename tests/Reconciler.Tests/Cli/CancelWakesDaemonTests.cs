using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Streams;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Reconciler.Cli;
using Coordinator.Reconciler.Feed;
using Coordinator.Testing.State;

namespace Coordinator.Reconciler.Tests.Cli;

/// <summary>
/// `coordinator cancel` must wake the daemon: its status write alone is dropped by the feed as the daemon's own, so
/// it also stamps reconcileRequestedAt, after the status write.
/// </summary>
public sealed class CancelWakesDaemonTests
{
    private static AttributeValue S(string s) => new() { S = s };

    private static StreamRecord Modify(Dictionary<string, AttributeValue> before, Dictionary<string, AttributeValue> after) =>
        new("e", "MODIFY", "1", null, 0, new() { ["name"] = S("wc") }, after, before);

    [Fact]
    public void A_status_only_cancel_write_is_dropped_by_the_feed_but_the_reconcile_stamp_is_routed_to_the_job()
    {
        var running = new Dictionary<string, AttributeValue> { ["name"] = S("wc"), ["spec"] = S("x"), ["status"] = S("Running"), ["version"] = new() { N = "3" } };
        var cancelled = new Dictionary<string, AttributeValue>(running) { ["status"] = S("Cancelled"), ["version"] = new() { N = "4" } };
        var stamped = new Dictionary<string, AttributeValue>(cancelled) { ["reconcileRequestedAt"] = S("2026-11-29T12:00:00.0000000+00:00") };
        var stampedAgain = new Dictionary<string, AttributeValue>(cancelled) { ["reconcileRequestedAt"] = S("2026-11-29T12:00:05.0000000+00:00") };

        Assert.Null(StreamRecordRouter.Route(StreamTable.Jobs, Modify(running, cancelled)).Job);
        Assert.Equal("wc", StreamRecordRouter.Route(StreamTable.Jobs, Modify(cancelled, stamped)).Job);
        Assert.Equal("wc", StreamRecordRouter.Route(StreamTable.Jobs, Modify(stamped, stampedAgain)).Job);
    }

    [Fact]
    public async Task Cancel_requests_a_reconcile_only_after_the_status_says_cancelled()
    {
        var store = new InMemoryStateStore();
        store.UserPut(new Job { Name = "wc" });
        JobPhase? phaseWhenWoken = null;
        var control = new JobControl(store, scheduler: null, requestReconcile: (name, _, _) =>
        {
            phaseWhenWoken = store.Peek(name)!.Status.Phase;
            return Task.CompletedTask;
        });

        var message = await control.CancelAsync("wc", DateTimeOffset.UtcNow, default);

        Assert.Equal("job \"wc\" cancelled (0 Slurm submissions cancelled)", message);
        Assert.Equal(JobPhase.Cancelled, phaseWhenWoken);
    }

    [Fact]
    public async Task Cancelling_a_finished_job_changes_nothing_and_wakes_nobody()
    {
        var store = new InMemoryStateStore();
        store.UserPut(new Job { Name = "wc" });
        var done = store.Peek("wc")!;
        done.Status.Phase = JobPhase.Succeeded;
        await store.UpdateJobStatusAsync(done, default);
        var woken = 0;
        var control = new JobControl(store, null, (_, _, _) => { woken++; return Task.CompletedTask; });

        var message = await control.CancelAsync("wc", DateTimeOffset.UtcNow, default);

        Assert.Equal("job \"wc\" is already Succeeded", message);
        Assert.Equal(0, woken);
    }
}
