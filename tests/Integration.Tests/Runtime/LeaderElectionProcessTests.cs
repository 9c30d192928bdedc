using Amazon.DynamoDBv2.Model;
using Coordinator.Integration.Tests.State;

namespace Coordinator.Integration.Tests.Runtime;

/// <summary>
/// Two real daemons over one set of tables on moto: one leads and reconciles, the other stands by; when the leader
/// dies (SIGKILL, no release) the standby takes over within the lease duration (15 s) plus one retry period (2 s),
/// and at no time do both reconcile.
/// </summary>
public sealed class LeaderElectionProcessTests
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(2);

    [SkippableFact]
    public async Task When_the_leader_dies_the_standby_takes_over_within_the_lease_and_they_never_reconcile_together()
    {
        await using var backend = await DynamoStateStoreTests.StartAsync(DynamoBackend.Moto);
        using var first = DaemonProcess.Start(backend, "daemon-a");
        await first.WaitForLineAsync("acquired the lease", TimeSpan.FromSeconds(60));
        using var second = DaemonProcess.Start(backend, "daemon-b");
        await second.WaitForLineAsync("standing by", TimeSpan.FromSeconds(60));

        await PutJobAsync(backend, "before-failover");
        await WaitForStatusAsync(backend, "before-failover");
        Assert.Null(second.FirstLine("acquired the lease"));
        Assert.Null(second.FirstLine("JobName=before-failover"));

        var killedAt = first.Kill();
        var tookOverAt = await second.WaitForLineAsync("acquired the lease", LeaseDuration + RetryPeriod + TimeSpan.FromSeconds(10));
        await PutJobAsync(backend, "after-failover");
        await WaitForStatusAsync(backend, "after-failover");

        var takeover = tookOverAt - killedAt;
        Assert.True(takeover <= LeaseDuration + RetryPeriod, $"takeover took {takeover.TotalSeconds:F1} s");
        Assert.True(takeover > TimeSpan.Zero);
        var firstReconcileBySecond = second.Lines.Where(l => l.Line.Contains("JobName=", StringComparison.Ordinal)).Select(l => l.At).Min();
        Assert.True(firstReconcileBySecond >= tookOverAt, "the standby reconciled before it held the lease");
        Assert.DoesNotContain(first.Lines, l => l.At > killedAt);
    }

    private static async Task PutJobAsync(DynamoBackend backend, string name) =>
        await backend.Client.PutItemAsync(backend.Options.JobsTable, new Dictionary<string, AttributeValue>
        {
            ["name"] = new() { S = name },
            ["spec"] = new() { M = new() { ["input"] = new() { M = new() { ["uri"] = new() { S = "s3://in/" } } } } },
        });

    private static async Task WaitForStatusAsync(DynamoBackend backend, string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var item = await backend.Client.GetItemAsync(new GetItemRequest
            {
                TableName = backend.Options.JobsTable,
                Key = new Dictionary<string, AttributeValue> { ["name"] = new() { S = name } },
                ConsistentRead = true,
            });
            if (item.Item?.ContainsKey("status") == true)
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"job {name} got no status within 30 s");
    }
}
