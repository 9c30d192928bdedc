using Coordinator.Testing.Processes;
using Xunit.Abstractions;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Two daemons over one set of tables, dispatching real work to Slurm: one leads, the other stands by and does
/// nothing; the leader is SIGKILLed mid-run (no lease release); the standby takes over within the lease duration plus
/// two retry periods (and a second for the loaded machine), finishes every job, and no dispatch token is submitted twice.
/// </summary>
public sealed class TwoDaemonTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Takeover = TimeSpan.FromSeconds(15 + 2 * 2 + 1);

    [SkippableFact]
    public async Task When_the_dispatching_leader_dies_the_standby_takes_over_within_the_lease_and_nothing_is_dispatched_twice()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        var random = new Random(ChaosMode.Seed);
        await using var stack = new ChaosStack("two");
        await stack.InitAsync();
        var first = stack.StartDaemon("daemon-a", new Dictionary<string, string?> { ["COORDINATOR_DAEMON__LEADERELECTION__IDENTITY"] = "daemon-a" });
        await first.WaitForLineAsync("acquired the lease", TimeSpan.FromMinutes(1));
        var second = stack.StartDaemon("daemon-b", new Dictionary<string, string?> { ["COORDINATOR_DAEMON__LEADERELECTION__IDENTITY"] = "daemon-b" });
        await second.WaitForLineAsync("standing by", TimeSpan.FromMinutes(1));

        var inputs = new Dictionary<string, string[]>();
        for (var i = 0; i < ChaosMode.Pick(6, 20); i++)
        {
            var job = stack.JobName($"j{i:00}");
            inputs[job] = ChaosJobs.Records(job, random.Next(6, 16), new Random(random.Next()));
            await ChaosJobs.SubmitAsync(stack, job, inputs[job], maxRecords: 4);
        }
        // Kill the leader once it has dispatched something: mid-run, with work in Slurm and jobs still open.
        await first.WaitForLineAsync("Dispatched", TimeSpan.FromMinutes(3));
        var killedAt = first.Kill();
        var tookOverAt = await second.WaitForLineAsync("acquired the lease", Takeover + TimeSpan.FromSeconds(30));
        var finals = await stack.WaitForAllAsync(inputs.Keys, TimeSpan.FromMinutes(5), ["Succeeded", "Failed", "Invalid", "Cancelled"]);

        Assert.True(tookOverAt - killedAt <= Takeover, $"takeover took {(tookOverAt - killedAt).TotalSeconds:F1} s");
        var firstWorkBySecond = second.Lines.Where(l => l.Line.Contains("JobName=", StringComparison.Ordinal)).Select(l => l.At).DefaultIfEmpty(DateTime.MaxValue).Min();
        Assert.True(firstWorkBySecond >= tookOverAt, "the standby reconciled before it held the lease");
        // Judged by the daemon's own stamps: lines still in the pipe when it died are read later under load.
        Assert.DoesNotContain(first.Lines, l => DaemonHandle.StampedAt(l.Line, killedAt) > killedAt);
        Assert.All(finals, f => Assert.True(ChaosStack.Phase(f.Value) == "Succeeded", $"{f.Key}: {ChaosStack.Describe(f.Value)}"));
        var compared = 0;
        foreach (var (job, records) in inputs)
        {
            compared += await ChaosJobs.AssertOutputEqualsInputAsync(stack, job, records, finals[job]);
        }
        var submitted = stack.SbatchCalls().Where(c => c.ExitCode == 0).ToList();
        var twice = submitted.GroupBy(c => c.Token).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, $"dispatch tokens submitted more than once: {string.Join(", ", twice)}");
        Figures.Record(output, nameof(TwoDaemonTests),
            $"takeover={(tookOverAt - killedAt).TotalSeconds:F1}s jobs={inputs.Count} recordsCompared={compared} submissions={submitted.Count} "
            + $"duplicateTokens=0 load={File.ReadAllText("/proc/loadavg").Trim()}");
    }
}
