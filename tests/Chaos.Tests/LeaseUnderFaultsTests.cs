using System.Diagnostics;
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
        await using var lease = await LeaseHarness.StartAsync("lease", ChaosMode.Pick(0.25, 0.25), random.Next(), "chaos");

        var clock = Stopwatch.StartNew();
        var firstLead = TimeSpan.Zero;
        using var stop = new CancellationTokenSource(ChaosMode.Pick(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(180)));
        await lease.RunAsync(() =>
        {
            if (firstLead == TimeSpan.Zero)
            {
                firstLead = clock.Elapsed;
            }
        }, stop.Token);

        Assert.True(lease.Terms == 1, $"the leader lost its lease {lease.Terms - 1} times under {lease.Proxy.Summary()}:\n{lease.Log}");
        Assert.True(firstLead < TimeSpan.FromSeconds(10), $"winning a free lease took {firstLead.TotalSeconds:F1} s:\n{lease.Log}");
        Assert.True(lease.Proxy.Faults > 0, lease.Proxy.Summary());
        Figures.Record(output, nameof(LeaseUnderFaultsTests),
            $"{lease.Proxy.Summary()} terms={lease.Terms} firstLead={firstLead.TotalSeconds:F1}s ran={clock.Elapsed.TotalSeconds:F0}s load={File.ReadAllText("/proc/loadavg").Trim()}");
    }
}
