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
/// The leader's lease renewals go through the fault proxy. Renewing every 2 s with a 10 s deadline, a leader must
/// not lose its lease to scattered faults (losing it needs every attempt for 10 s to fail), and a daemon that holds
/// no lease must win a free one within a few attempts. Both run in-process with the real lease store on moto. A
/// renewal is one conditional write (no read), so a quarter of the calls fault to keep the pressure on it.
/// </summary>
public sealed class LeaseUnderFaultsTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Under_injected_AWS_faults_the_leader_keeps_its_lease_and_a_free_lease_is_won_within_a_few_attempts()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        var random = new Random(ChaosMode.Seed);
        await using var stack = new ChaosStack("lease");
        await stack.InitAsync();
        await using var proxy = new FaultProxy(new Uri(stack.Endpoint), ChaosMode.Pick(0.25, 0.25), random.Next());
        using var client = new AmazonDynamoDBClient(new BasicAWSCredentials("test", "test"),
            new AmazonDynamoDBConfig { ServiceURL = proxy.Url, AuthenticationRegion = "us-east-1" });
        using var metrics = new CoordinatorMetrics();
        var options = new CoordinatorOptions { LeasesTable = stack.Settings["COORDINATOR__LEASESTABLE"]! };
        var logger = new ListLogger<LeaderElector>();
        var elector = new LeaderElector(new DynamoLeaseStore(client, options, metrics), new LeaderElectionOptions { Identity = "chaos" },
            metrics, logger);

        var terms = 0;
        var clock = Stopwatch.StartNew();
        var firstLead = TimeSpan.Zero;
        using var stop = new CancellationTokenSource(ChaosMode.Pick(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(180)));
        var running = elector.RunAsync(async (stopping, lost) =>
        {
            if (Interlocked.Increment(ref terms) == 1)
            {
                firstLead = clock.Elapsed;
            }
            using var either = CancellationTokenSource.CreateLinkedTokenSource(stopping, lost);
            await Task.Delay(Timeout.Infinite, either.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }, stop.Token);
        try
        {
            await running;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping mid-renewal surfaces the cancellation: the run is over.
        }

        var log = string.Join('\n', logger.Entries.Select(e => $"{e.At:HH:mm:ss.fff} {e.Level} {e.Message}"));
        Assert.True(terms == 1, $"the leader lost its lease {terms - 1} times under {proxy.Summary()}:\n{log}");
        Assert.True(firstLead < TimeSpan.FromSeconds(10), $"winning a free lease took {firstLead.TotalSeconds:F1} s:\n{log}");
        Assert.True(proxy.Faults > 0, proxy.Summary());
        Figures.Record(output, nameof(LeaseUnderFaultsTests),
            $"{proxy.Summary()} terms={terms} firstLead={firstLead.TotalSeconds:F1}s ran={clock.Elapsed.TotalSeconds:F0}s load={File.ReadAllText("/proc/loadavg").Trim()}");
    }
}
