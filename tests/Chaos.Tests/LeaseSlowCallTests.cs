using System.Diagnostics;
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
        await using var lease = await LeaseHarness.StartAsync("lease-stall", faultRate: 0, seed: 1, "stall");
        using var stop = new CancellationTokenSource();
        var running = lease.RunAsync(null, stop.Token);
        await lease.Leading.WaitAsync(TimeSpan.FromSeconds(30));

        var clock = Stopwatch.StartNew();
        lease.Proxy.StallNext = TimeSpan.FromSeconds(9);
        while (lease.Proxy.Stalled == 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }
        await Task.Delay(TimeSpan.FromSeconds(16)); // past the stall, and past a whole lease duration after it began
        var leaderThroughout = lease.Elector.IsLeader;
        await stop.CancelAsync();
        await running;

        Assert.Equal(1, lease.Proxy.Stalled);
        Assert.True(lease.Terms == 1 && leaderThroughout, $"the leader stepped down (terms={lease.Terms}, leader={leaderThroughout}):\n{lease.Log}");
        Figures.Record(output, nameof(LeaseSlowCallTests),
            $"{lease.Proxy.Summary()} stalled={lease.Proxy.Stalled} terms={lease.Terms} load={File.ReadAllText("/proc/loadavg").Trim()}");
    }
}
