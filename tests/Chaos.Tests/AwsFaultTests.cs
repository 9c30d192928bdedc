using Xunit.Abstractions;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Daemon and workers talk to moto only through <see cref="FaultProxy"/>, which fails at least 10% of all requests
/// (throttling, 500, 503, resets before and after the request took effect, latency). Every job must still succeed
/// with every record exactly once and no dispatch token submitted twice.
/// </summary>
public sealed class AwsFaultTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Behind_a_proxy_failing_requests_at_random_every_job_succeeds_with_nothing_lost_or_duplicated()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        var rate = ChaosMode.Pick(0.15, 0.2);
        var jobCount = ChaosMode.Pick(5, 20);
        var random = new Random(ChaosMode.Seed);
        await using var stack = new ChaosStack("awsf");
        await stack.InitAsync();
        await using var proxy = new FaultProxy(new Uri(stack.Endpoint), rate, random.Next());
        stack.StartDaemon("daemon", new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = proxy.Url });

        var inputs = new Dictionary<string, string[]>();
        for (var i = 0; i < jobCount; i++)
        {
            var job = stack.JobName($"j{i:00}");
            inputs[job] = ChaosJobs.Records(job, random.Next(6, 16), new Random(random.Next()));
            // Every fourth job in pilot mode: its workers claim tasks with conditional writes through the proxy.
            await ChaosJobs.SubmitAsync(stack, job, inputs[job], maxRecords: 4, i % 4 == 3
                ? spec => spec["dispatch"] = M(("mode", S("pilot")), ("workers", N(2)))
                : null);
        }
        var finals = await stack.WaitForAllAsync(inputs.Keys, ChaosMode.Pick(TimeSpan.FromMinutes(6), TimeSpan.FromMinutes(20)),
            ["Succeeded", "Failed", "Invalid", "Cancelled"]);

        var failed = finals.Where(f => ChaosStack.Phase(f.Value) != "Succeeded").ToList();
        Assert.True(failed.Count == 0, string.Join('\n', failed.Select(f => $"{f.Key}: {ChaosStack.Describe(f.Value)}")) + "\n" + proxy.Summary());
        var compared = 0;
        foreach (var (job, records) in inputs)
        {
            compared += await ChaosJobs.AssertOutputEqualsInputAsync(stack, job, records, finals[job]);
        }
        var submitted = stack.SbatchCalls().Where(c => c.ExitCode == 0).ToList();
        var twice = submitted.GroupBy(c => c.Token).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, $"dispatch tokens submitted more than once: {string.Join(", ", twice)}");
        var measured = (double)proxy.Faults / proxy.Requests;
        Assert.True(measured >= 0.10, $"only {measured:P1} of requests faulted: {proxy.Summary()}");
        foreach (var kind in Enum.GetValues<FaultKind>())
        {
            Assert.True(proxy.Count(kind) > 0, $"no {kind} injected: {proxy.Summary()}");
        }
        Figures.Record(output, nameof(AwsFaultTests),
            $"{proxy.Summary()} measuredRate={measured:F3} jobs={jobCount} succeeded={jobCount - failed.Count} recordsCompared={compared} "
            + $"submissions={submitted.Count} duplicateTokens={twice.Count} load={File.ReadAllText("/proc/loadavg").Trim()}");
    }
}
