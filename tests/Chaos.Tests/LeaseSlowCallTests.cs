using System.Diagnostics;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.State;
using Coordinator.Reconciler.LeaderElection;
using Xunit.Abstractions;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// One renewal call that stalls for most of the renew deadline (9 of 10 s) must not cost the leader its lease: the
/// attempt gives up after a third of the deadline and the next one renews. Before attempts were bounded, that one
/// call used the whole deadline and the loaded daemon stepped down although DynamoDB answered the next call at once.
/// Real lease store on moto, behind the fault proxy with no random faults.
/// </summary>
public sealed class LeaseSlowCallTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task A_renewal_call_stalled_for_nine_seconds_does_not_cost_the_leader_its_lease()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        await using var stack = new ChaosStack("lease-stall");
        await stack.InitAsync();
        await using var proxy = new FaultProxy(new Uri(stack.Endpoint), rate: 0, seed: 1);
        using var client = new AmazonDynamoDBClient(new BasicAWSCredentials("test", "test"),
            new AmazonDynamoDBConfig { ServiceURL = proxy.Url, AuthenticationRegion = "us-east-1" });
        using var metrics = new CoordinatorMetrics();
        var options = new CoordinatorOptions { LeasesTable = stack.Settings["COORDINATOR__LEASESTABLE"]! };
        var logger = new ListLogger<LeaderElector>();
        var elector = new LeaderElector(new DynamoLeaseStore(client, options, metrics), new LeaderElectionOptions { Identity = "stall" },
            metrics, logger);

        var terms = 0;
        var leading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var running = elector.RunAsync(async (stopping, lost) =>
        {
            Interlocked.Increment(ref terms);
            leading.TrySetResult();
            using var either = CancellationTokenSource.CreateLinkedTokenSource(stopping, lost);
            await Task.Delay(Timeout.Infinite, either.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }, stop.Token);
        await leading.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var clock = Stopwatch.StartNew();
        proxy.StallNext = TimeSpan.FromSeconds(9);
        while (proxy.Stalled == 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }
        await Task.Delay(TimeSpan.FromSeconds(16)); // past the stall, and past a whole lease duration after it began
        var leaderThroughout = elector.IsLeader;
        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
        }

        var log = string.Join('\n', logger.Entries.Select(e => $"{e.At:HH:mm:ss.fff} {e.Level} {e.Message}"));
        Assert.Equal(1, proxy.Stalled);
        Assert.True(terms == 1 && leaderThroughout, $"the leader stepped down (terms={terms}, leader={leaderThroughout}):\n{log}");
        Figures.Record(output, nameof(LeaseSlowCallTests),
            $"{proxy.Summary()} stalled={proxy.Stalled} terms={terms} load={File.ReadAllText("/proc/loadavg").Trim()}");
    }
}
