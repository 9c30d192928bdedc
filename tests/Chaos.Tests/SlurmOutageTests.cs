using System.Globalization;
using System.Text.RegularExpressions;
using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Items;
using Coordinator.Controllers.Dispatch;
using Coordinator.Model.Tasks;
using Coordinator.Testing.Processes;
using Xunit.Abstractions;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// A Slurm outage: the shared slurmctld is stopped (only it; slurmd keeps running tasks) under a real daemon, for
/// under a minute, and restarted the way localstack/up starts it. While it is down the job carries condition
/// SlurmReachable=False with Slurm's error, the daemon retries with growing delays (logged and counted), nothing is
/// failed, no batch is charged an attempt and nothing is submitted twice; when it is back the job succeeds with every
/// record exactly once. Runs with the other node-disturbing tests, never in parallel (the assembly disables
/// parallelization), and always restores slurmctld.
/// </summary>
public sealed partial class SlurmOutageTests(WorkerFaultStackFixture fixture, ITestOutputHelper output) : IClassFixture<WorkerFaultStackFixture>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);
    private static readonly string[] Done = ["Succeeded", "Failed", "Invalid", "Cancelled"];

    /// <summary>Outages end at the latest this long after slurmctld stopped, even if fewer retries were seen (the brief: under ~60 s).</summary>
    private static readonly TimeSpan LongestOutage = TimeSpan.FromSeconds(50);

    private ChaosStack Stack
    {
        get
        {
            Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
            return fixture.Stack!;
        }
    }

    /// <summary>The stack, once it is known that its slurmctld may be stopped (checked before the outage, never during it).</summary>
    private ChaosStack StackWithOwnSlurmctld()
    {
        var stack = Stack;
        var why = SlurmctldOutage.Unavailable(stack.Settings);
        Skip.If(why is not null, why);
        return stack;
    }

    [SkippableFact]
    public async Task A_job_submitted_while_slurmctld_is_down_waits_with_growing_retries_and_succeeds_once_when_it_returns()
    {
        var stack = StackWithOwnSlurmctld();
        var job = stack.JobName("ctld-down");
        var records = ChaosJobs.Records(job, 8, new Random(ChaosMode.Seed));
        List<Retry> retries;
        Dictionary<string, AttributeValue>? during;
        await using (var outage = new SlurmctldOutage(stack.Settings))
        {
            await outage.StopAsync();
            await ChaosJobs.SubmitAsync(stack, job, records, maxRecords: 2);
            (retries, during) = await WaitForRetriesAsync(job, 3, outage);
            await outage.RestartAsync();
            output.WriteLine($"slurmctld down {outage.Length.TotalSeconds:F1} s");
        }
        var status = (await stack.WaitForAllAsync([job], Limit, Done))[job];
        await AssertAllRecordsOnceAsync(job, records, status, batches: 4);
        AssertRetriesGrew(retries, 3);
        AssertConditionWhileDown(during);
        Figures.Record(output, nameof(A_job_submitted_while_slurmctld_is_down_waits_with_growing_retries_and_succeeds_once_when_it_returns),
            Summary(retries, status));
    }

    [SkippableFact]
    public async Task Slurmctld_stopped_while_the_array_runs_lets_running_tasks_finish_and_the_job_succeeds_once_it_returns()
    {
        var stack = StackWithOwnSlurmctld();
        var job = stack.JobName("ctld-running");
        var records = ChaosJobs.Records(job, 12, new Random(ChaosMode.Seed));
        var started = Path.Combine(stack.Work, "ctld-running-started");
        Directory.CreateDirectory(started);
        // Each batch leaves a marker and takes 6 s; two at a time, so some run and some wait in Slurm's queue.
        var handler = $"import os, sys, time\nopen(os.path.join('{started}', os.environ['COORDINATOR_BATCH']), 'w').close()\ntime.sleep(6)\nsys.stdout.write(sys.stdin.read())";
        await ChaosJobs.SubmitAsync(stack, job, records, maxRecords: 2, spec =>
        {
            spec["handler"]!["M"]!["command"] = L(S("python3"), S("-c"), S(handler));
            spec["slurm"]!["M"]!["maxConcurrent"] = N(2);
        });
        for (var deadline = DateTime.UtcNow.AddMinutes(3); Directory.GetFiles(started).Length == 0; await Task.Delay(200))
        {
            Assert.True(DateTime.UtcNow < deadline, "no batch started within 3 minutes");
        }
        List<Retry> retries;
        Dictionary<string, AttributeValue>? during;
        int finishedWhileDown;
        await using (var outage = new SlurmctldOutage(stack.Settings))
        {
            await outage.StopAsync();
            (retries, during) = await WaitForRetriesAsync(job, 3, outage);
            // The tasks that were running when slurmctld stopped went on under slurmd and recorded their outcome.
            finishedWhileDown = (await TasksAsync(job)).Count(t => t.State == TaskState.Succeeded);
            await outage.RestartAsync();
            output.WriteLine($"slurmctld down {outage.Length.TotalSeconds:F1} s; {finishedWhileDown} batches succeeded before it returned");
        }
        var status = (await stack.WaitForAllAsync([job], Limit, Done))[job];
        await AssertAllRecordsOnceAsync(job, records, status, batches: 6);
        Assert.True(finishedWhileDown >= 1, "no batch that was running when slurmctld stopped recorded its outcome during the outage");
        AssertRetriesGrew(retries, 2);
        AssertConditionWhileDown(during);
        Figures.Record(output, nameof(Slurmctld_stopped_while_the_array_runs_lets_running_tasks_finish_and_the_job_succeeds_once_it_returns),
            $"{Summary(retries, status)} finishedWhileDown={finishedWhileDown}");
    }

    /// <summary>One "failed pass N, next try in D s" line of the daemon, with the daemon's own time stamp.</summary>
    private sealed record Retry(DateTime At, int Pass, int DelaySeconds, string Line);

    /// <summary>
    /// Waits until the daemon has logged <paramref name="wanted"/> failed passes for the job, or until the outage is
    /// <see cref="LongestOutage"/> old; meanwhile keeps the last job status that had SlurmReachable=False.
    /// </summary>
    private async Task<(List<Retry> Retries, Dictionary<string, AttributeValue>? During)> WaitForRetriesAsync(string job, int wanted, SlurmctldOutage outage)
    {
        Dictionary<string, AttributeValue>? during = null;
        var retries = Retries(job);
        while (retries.Count < wanted && outage.Length < LongestOutage)
        {
            await Task.Delay(250);
            if (await Stack.StatusAsync(job) is { } status && Condition(status) is { } c && ChaosStack.Text(c, "status") == "False")
            {
                during = status;
            }
            retries = Retries(job);
        }
        during ??= await Stack.StatusAsync(job);
        foreach (var retry in retries)
        {
            output.WriteLine(retry.Line);
        }
        return (retries, during);
    }

    private List<Retry> Retries(string job)
    {
        var daemon = Stack.Daemons[0];
        return daemon.Lines
            .Where(l => l.Line.Contains($"{job}: Slurm unavailable during", StringComparison.Ordinal))
            .Select(l => (l, m: RetryLine().Match(l.Line)))
            .Where(x => x.m.Success)
            .Select(x => new Retry(DaemonHandle.StampedAt(x.l.Line, x.l.At) ?? x.l.At,
                int.Parse(x.m.Groups["pass"].Value, CultureInfo.InvariantCulture), int.Parse(x.m.Groups["delay"].Value, CultureInfo.InvariantCulture), x.l.Line))
            .ToList();
    }

    /// <summary>Passes numbered 1, 2, 3, … each announcing the next backoff delay, which doubles; and each next pass came no sooner.</summary>
    private static void AssertRetriesGrew(List<Retry> retries, int atLeast)
    {
        Assert.True(retries.Count >= atLeast, $"{retries.Count} failed passes logged during the outage, expected at least {atLeast}");
        Assert.Equal(Enumerable.Range(1, retries.Count), retries.Select(r => r.Pass));
        Assert.Equal(Enumerable.Range(1, retries.Count).Select(p => (int)SlurmOutage.RetryDelay(p).TotalSeconds), retries.Select(r => r.DelaySeconds));
        for (var i = 1; i < retries.Count; i++)
        {
            var gap = retries[i].At - retries[i - 1].At;
            Assert.True(gap >= TimeSpan.FromSeconds(retries[i - 1].DelaySeconds) - TimeSpan.FromMilliseconds(50),
                $"pass {retries[i].Pass} came {gap.TotalSeconds:F2} s after pass {retries[i - 1].Pass}, sooner than its {retries[i - 1].DelaySeconds} s backoff");
        }
    }

    private static void AssertConditionWhileDown(Dictionary<string, AttributeValue>? during)
    {
        Assert.NotNull(during);
        var condition = Condition(during);
        Assert.True(condition is not null, $"no SlurmReachable condition while slurmctld was down: {ChaosStack.Describe(during)}");
        Assert.Equal(("False", SlurmOutage.UnavailableReason), (ChaosStack.Text(condition, "status"), ChaosStack.Text(condition, "reason")));
        Assert.Contains("failed pass", ChaosStack.Text(condition, "message"), StringComparison.Ordinal);
        Assert.NotEqual("Failed", ChaosStack.Phase(during));
    }

    /// <summary>
    /// Succeeded, output = input record for record, SlurmReachable back to True, every batch succeeded on its first
    /// attempt (nothing declared lost or counted), and each batch submitted to Slurm exactly once (no token twice).
    /// </summary>
    private async Task AssertAllRecordsOnceAsync(string job, string[] records, Dictionary<string, AttributeValue> status, int batches)
    {
        var stack = Stack;
        Assert.True(ChaosStack.Phase(status) == "Succeeded", ChaosStack.Describe(status));
        await ChaosJobs.AssertOutputEqualsInputAsync(stack, job, records, status);
        var condition = Condition(status);
        Assert.True(condition is not null && ChaosStack.Text(condition, "status") == "True",
            $"SlurmReachable after the outage: {(condition is null ? "absent" : ChaosStack.Describe(condition))}");
        var tasks = await TasksAsync(job);
        Assert.Equal(batches, tasks.Count);
        Assert.All(tasks, t => Assert.True(t.State == TaskState.Succeeded && t.Attempt == 1,
            $"batch {t.Index}: {t.State} after attempt {t.Attempt} ({t.Reason})"));
        var submitted = stack.SbatchCalls().Where(c => c.ExitCode == 0 && c.JobName == job).ToList();
        Assert.DoesNotContain(submitted.GroupBy(c => c.Token), g => g.Count() > 1);
        var indexes = submitted.SelectMany(c => c.BatchIndexes).Order().ToList();
        Assert.Equal(Enumerable.Range(0, batches), indexes);
    }

    private async Task<List<JobTask>> TasksAsync(string job) => [.. (await Stack.TaskItemsAsync(job)).Select(TaskItemCodec.Decode)];

    private static Dictionary<string, AttributeValue>? Condition(Dictionary<string, AttributeValue> status) =>
        status.TryGetValue("conditions", out var list) && list.L is { } conditions
            ? conditions.Select(c => c.M).FirstOrDefault(c => c is not null && ChaosStack.Text(c, "type") == SlurmOutage.ConditionType)
            : null;

    private static string Summary(List<Retry> retries, Dictionary<string, AttributeValue> status) =>
        $"failedPasses={retries.Count} delays={string.Join(',', retries.Select(r => r.DelaySeconds))}s "
        + $"gaps={string.Join(',', retries.Zip(retries.Skip(1), (a, b) => (b.At - a.At).TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)))}s "
        + $"phase={ChaosStack.Phase(status)} records={ChaosStack.Count(status, "records", "output")} load={File.ReadAllText("/proc/loadavg").Trim()}";

    [GeneratedRegex(@"failed pass (?<pass>\d+), next try in (?<delay>\d+) s")]
    private static partial Regex RetryLine();
}
