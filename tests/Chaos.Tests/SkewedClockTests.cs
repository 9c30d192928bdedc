using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Xunit.Abstractions;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Issue 14, defect 6, on real Slurm: workers whose clock is 5 minutes behind or ahead of the daemon's (Debian's
/// `faketime`, see <see cref="SkewedClockStackFixture"/>), in array and in pilot mode. The daemon judges liveness by
/// seeing a task's heartbeat change, on its own clock: a worker that beats is never declared lost however long its
/// handler runs, and a SIGKILLed one is found within StaleAfter plus a pass and retried.
/// </summary>
public sealed class SkewedClockTests(SkewedClockStackFixture fixture, ITestOutputHelper output) : IClassFixture<SkewedClockStackFixture>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(6);
    private static readonly string[] Done = ["Succeeded", "Failed", "Invalid", "Cancelled"];
    private static readonly TimeSpan StaleAfter = SkewedClockStackFixture.HeartbeatInterval * 6;

    /// <summary>The daemon's default RunningRequeue: the longest wait between two passes over a running job.</summary>
    private static readonly TimeSpan Pass = TimeSpan.FromSeconds(5);

    private static readonly (string Direction, int Sign)[] Directions = [("behind", -1), ("ahead", 1)];
    private static readonly string[] Modes = ["array", "pilot"];

    private ChaosStack Stack
    {
        get
        {
            Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
            Assert.True(SkewedClockStackFixture.FaketimeMissing is null, SkewedClockStackFixture.FaketimeMissing);
            return fixture.Stack!;
        }
    }

    [SkippableFact]
    public async Task A_worker_5_minutes_behind_or_ahead_is_never_declared_lost_while_it_heartbeats()
    {
        var stack = Stack;
        const string handler = "import sys, time\ntime.sleep(20)\nsys.stdout.write(sys.stdin.read())";
        var jobs = new List<(string Job, string[] Records, int Sign)>();
        foreach (var (direction, sign) in Directions)
        {
            foreach (var mode in Modes)
            {
                var job = stack.JobName($"{direction}-{mode}-beats");
                var records = ChaosJobs.Records(job, 8, new Random(ChaosMode.Seed));
                await ChaosJobs.SubmitAsync(stack, job, records, maxRecords: 4, spec => Configure(spec, handler, mode));
                jobs.Add((job, records, sign));
            }
        }
        var started = DateTimeOffset.UtcNow;
        var statuses = await stack.WaitForAllAsync([.. jobs.Select(j => j.Job)], Limit, Done);
        var took = DateTimeOffset.UtcNow - started;

        var figures = new List<string>();
        foreach (var (job, records, sign) in jobs)
        {
            var status = statuses[job];
            output.WriteLine($"{job}: {ChaosStack.Describe(status)}");
            Assert.True(ChaosStack.Phase(status) == "Succeeded", $"{job}: {ChaosStack.Describe(status)}");
            await ChaosJobs.AssertOutputEqualsInputAsync(stack, job, records, status);
            var tasks = await TasksAsync(job);
            foreach (var task in tasks)
            {
                Assert.True(Number(task, "attempt") == 1,
                    $"{job} batch {Number(task, "index")}: attempt {Number(task, "attempt")} ({Text(task, "reason")}): a worker that heartbeat was declared lost");
                AssertSkewed(job, task, sign);
            }
            figures.Add($"{job[(stack.Prefix.Length + 1)..]}: {tasks.Count} batches on attempt 1, handler 20 s > StaleAfter {StaleAfter.TotalSeconds:F0} s, worker clock {Skewed(tasks[0]):+0.0;-0.0} min");
        }
        Assert.DoesNotContain(stack.Daemons[0].Lines, l => l.Line.Contains(" lost ", StringComparison.Ordinal) && l.Line.Contains(stack.Prefix, StringComparison.Ordinal));
        Figures.Record(output, "SkewedClock.beats", $"{string.Join("; ", figures)}; all Succeeded, output = input, in {took.TotalSeconds:F0} s");
    }

    [SkippableFact]
    public async Task A_SIGKILLed_worker_5_minutes_behind_or_ahead_is_found_lost_within_StaleAfter_and_a_pass_and_retried()
    {
        var stack = Stack;
        var jobs = new List<(string Job, string[] Records, string Marker)>();
        foreach (var (direction, _) in Directions)
        {
            foreach (var mode in Modes)
            {
                var job = stack.JobName($"{direction}-{mode}-kill");
                var marker = Path.Combine(stack.Work, $"{job}.killed");
                // Batch 0's first attempt marks the moment and SIGKILLs its worker: no outcome is ever recorded.
                var handler = "import os, sys, time, signal\n"
                    + "if os.environ['COORDINATOR_BATCH'] == '0' and os.environ['COORDINATOR_ATTEMPT'] == '1':\n"
                    + $"    open('{marker}', 'w').close(); os.kill(os.getppid(), signal.SIGKILL); time.sleep(2); sys.exit(9)\n"
                    + "sys.stdout.write(sys.stdin.read())";
                var records = ChaosJobs.Records(job, 8, new Random(ChaosMode.Seed));
                await ChaosJobs.SubmitAsync(stack, job, records, maxRecords: 4, spec => Configure(spec, handler, mode));
                jobs.Add((job, records, marker));
            }
        }

        // Watch batch 0 of every job until the daemon has declared its first attempt lost: the daemon stamps
        // finishedAt on its own (unskewed) clock, and the marker's mtime is the kernel's time of the kill.
        var lost = new Dictionary<string, DateTimeOffset>();
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(4);
        while (lost.Count < jobs.Count && DateTimeOffset.UtcNow < deadline)
        {
            foreach (var (job, _, _) in jobs.Where(j => !lost.ContainsKey(j.Job)))
            {
                var task = (await TasksAsync(job)).FirstOrDefault(t => Number(t, "index") == 0);
                if (task is not null && Text(task, "reason").StartsWith("Lost", StringComparison.Ordinal))
                {
                    lost[job] = Time(task, "finishedAt");
                }
            }
            await Task.Delay(200);
        }
        var statuses = await stack.WaitForAllAsync([.. jobs.Select(j => j.Job)], Limit, Done);

        var figures = new List<string>();
        foreach (var (job, records, marker) in jobs)
        {
            Assert.True(File.Exists(marker), $"{job}: the handler never killed its worker");
            var killedAt = new DateTimeOffset(File.GetLastWriteTimeUtc(marker), TimeSpan.Zero);
            Assert.True(lost.ContainsKey(job), $"{job}: batch 0 was not declared lost within 4 min of its submission (killed at {killedAt:HH:mm:ss.fff})");
            var after = lost[job] - killedAt;
            figures.Add($"{job[(stack.Prefix.Length + 1)..]} lost {after.TotalSeconds:F1} s after the kill");
            Assert.True(after >= StaleAfter - SkewedClockStackFixture.HeartbeatInterval - TimeSpan.FromSeconds(1) && after <= StaleAfter + Pass + TimeSpan.FromSeconds(5),
                $"{job}: declared lost {after.TotalSeconds:F1} s after the SIGKILL; expected StaleAfter ({StaleAfter.TotalSeconds:F0} s) less one beat at the earliest, StaleAfter + a pass ({Pass.TotalSeconds:F0} s) + 5 s at the latest");
            var status = statuses[job];
            Assert.True(ChaosStack.Phase(status) == "Succeeded", $"{job}: {ChaosStack.Describe(status)}");
            await ChaosJobs.AssertOutputEqualsInputAsync(stack, job, records, status);
            var retried = (await TasksAsync(job)).First(t => Number(t, "index") == 0);
            Assert.Equal(2, Number(retried, "attempt"));
        }
        Figures.Record(output, "SkewedClock.kill", $"StaleAfter {StaleAfter.TotalSeconds:F0} s, pass {Pass.TotalSeconds:F0} s: {string.Join("; ", figures)}; all retried and Succeeded, output = input");
    }

    private static void Configure(System.Text.Json.Nodes.JsonObject spec, string handler, string mode)
    {
        spec["handler"]!["M"]!["command"] = L(S("python3"), S("-c"), S(handler));
        if (mode == "pilot")
        {
            spec["dispatch"] = M(("mode", S("pilot")), ("workers", N(1)));
        }
    }

    /// <summary>The worker stamps startedAt on its own clock: check it really ran 5 minutes off (faketime took).</summary>
    private static void AssertSkewed(string job, Dictionary<string, AttributeValue> task, int sign)
    {
        var minutes = Skewed(task);
        Assert.True(Math.Abs(minutes - (sign * SkewedClockStackFixture.Skew.TotalMinutes)) < 1.5,
            $"{job}: the worker's finishedAt is {minutes:F1} min from now; its clock was meant to be {sign * SkewedClockStackFixture.Skew.TotalMinutes} min off");
    }

    /// <summary>Minutes between the worker's finishedAt stamp and this host's clock (the job finished moments ago).</summary>
    private static double Skewed(Dictionary<string, AttributeValue> task) => (Time(task, "finishedAt") - DateTimeOffset.UtcNow).TotalMinutes;

    private Task<List<Dictionary<string, AttributeValue>>> TasksAsync(string job) => Stack.TaskItemsAsync(job);

    private static long Number(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var v) && v.N is { } n ? long.Parse(n, CultureInfo.InvariantCulture) : -1;

    private static string Text(Dictionary<string, AttributeValue> item, string name) => item.TryGetValue(name, out var v) ? v.S ?? "" : "";

    private static DateTimeOffset Time(Dictionary<string, AttributeValue> item, string name) =>
        DateTimeOffset.Parse(Text(item, name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
