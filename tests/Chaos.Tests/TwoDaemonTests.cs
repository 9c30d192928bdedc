using Amazon.DynamoDBv2.Model;
using Coordinator.Testing.Processes;
using Xunit.Abstractions;
using static Coordinator.Testing.Items.JobItems;

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
        var (first, second) = await StartLeaderAndStandbyAsync(stack);

        var inputs = await SubmitJobsAsync(stack, "j", random);
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

    /// <summary>
    /// The leader is paused (SIGSTOP, not killed: a long GC, a frozen VM, a starved process) at the worst moment: right
    /// after a lease renewal of its reached DynamoDB and before it read the answer, once it has dispatched work. It
    /// stays paused past its lease; the standby takes over and carries on. Then the old leader is resumed (SIGCONT)
    /// with its timers, stream cursors and that successful renewal still to be read, and at once every job's maxConcurrent is
    /// edited (scontrol on live arrays) and one running job's handler too (a new generation: its arrays are cancelled),
    /// so both daemons race to act on the same edits.
    /// Wrappers named sbatch, scancel and scontrol, first on each daemon's PATH, log the calling daemon: the resumed
    /// leader submits nothing, cancels nothing and changes no submission; no dispatch token is submitted twice and no
    /// batch is in two successful sbatch calls; every job Succeeds with output = input.
    /// </summary>
    [SkippableFact]
    public async Task A_leader_paused_past_its_lease_and_resumed_submits_cancels_and_changes_nothing()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        var random = new Random(ChaosMode.Seed);
        await using var stack = new ChaosStack("pause");
        await stack.InitAsync();
        // daemon-a reaches AWS through a proxy that injects no faults: it only lets the test pause daemon-a mid-renewal.
        await using var proxy = new FaultProxy(new Uri(stack.Endpoint), 0, ChaosMode.Seed);
        var (first, second) = await StartLeaderAndStandbyAsync(stack, new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = proxy.Url });

        // Slow, one-at-a-time batches keep arrays in flight across the pause, so the resumed leader has live work to
        // touch (throttle, cancel, re-dispatch) if anything still lets it.
        var inputs = await SubmitJobsAsync(stack, "p", random, spec =>
        {
            spec["handler"]!["M"]!["command"] = L(S("sh"), S("-c"), S("sleep 3; exec cat"));
            spec["slurm"]!["M"]!["maxConcurrent"] = N(1);
        });
        await first.WaitForLineAsync("Dispatched", TimeSpan.FromMinutes(3));
        await Task.Delay(random.Next(0, 1000));
        var paused = new TaskCompletionSource<DateTime>(TaskCreationOptions.RunContinuationsAsynchronously);
        var leases = stack.Settings["COORDINATOR__LEASESTABLE"]!;
        proxy.OnForwarded = request =>
        {
            if (request.Header("X-Amz-Target") == "DynamoDB_20120810.PutItem" && !paused.Task.IsCompleted)
            {
                var body = System.Text.Encoding.UTF8.GetString(request.Body);
                if (body.Contains(leases, StringComparison.Ordinal) && body.Contains("daemon-a", StringComparison.Ordinal))
                {
                    paused.TrySetResult(Signal(first, "STOP")); // the renewal is applied; its answer waits in the socket
                }
            }
            return Task.CompletedTask;
        };
        var pausedAt = await paused.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var tookOverAt = await second.WaitForLineAsync("acquired the lease", Takeover + TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(3)); // the new leader dispatches and records under its term
        // Resume first, then edit: both daemons' feeds see the edits at once, so the resumed one races the new leader
        // to the scontrol and the scancel (while its stale renewal still tells its elector it leads).
        var sbatchByFirstBeforeResume = stack.SbatchCalls().Count(c => c.Daemon == "daemon-a");
        var resumedAt = Signal(first, "CONT");
        string? regenerated = null;
        foreach (var job in inputs.Keys)
        {
            var running = regenerated is null && ChaosStack.Phase(await stack.StatusAsync(job)) == "Running";
            regenerated ??= running ? job : null;
            await stack.Dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = stack.JobsTable,
                Key = new() { ["name"] = new AttributeValue { S = job } },
                UpdateExpression = running ? "SET #spec.#slurm.#mc = :mc, #spec.#handler.#command = :command" : "SET #spec.#slurm.#mc = :mc",
                ExpressionAttributeNames = running
                    ? new() { ["#spec"] = "spec", ["#slurm"] = "slurm", ["#mc"] = "maxConcurrent", ["#handler"] = "handler", ["#command"] = "command" }
                    : new() { ["#spec"] = "spec", ["#slurm"] = "slurm", ["#mc"] = "maxConcurrent" },
                ExpressionAttributeValues = running
                    ? new() { [":mc"] = new AttributeValue { N = "2" }, [":command"] = new AttributeValue { L = [new() { S = "sh" }, new() { S = "-c" }, new() { S = "sleep 2; exec cat" }] } }
                    : new() { [":mc"] = new AttributeValue { N = "2" } },
            });
        }
        var finals = await stack.WaitForAllAsync(inputs.Keys, TimeSpan.FromMinutes(6), ["Succeeded", "Failed", "Invalid", "Cancelled"]);
        var steppedDownAt = await first.WaitForLineAsync("stopped reconciling", TimeSpan.FromSeconds(30));

        Assert.True(tookOverAt - pausedAt <= Takeover, $"takeover took {(tookOverAt - pausedAt).TotalSeconds:F1} s");
        var compared = 0;
        foreach (var (job, records) in inputs)
        {
            Assert.True(ChaosStack.Phase(finals[job]) == "Succeeded", $"{job}: {ChaosStack.Describe(finals[job])}");
            compared += await ChaosJobs.AssertOutputEqualsInputAsync(stack, job, records, finals[job]);
        }
        var sbatch = stack.SbatchCalls();
        var submitted = sbatch.Where(c => c.ExitCode == 0).ToList();
        var twice = submitted.GroupBy(c => c.Token).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        // A new generation legitimately submits its batches again: count a batch twice only within one generation's
        // submissions, i.e. for the jobs whose spec was not edited.
        var batchesTwice = submitted.Where(c => c.JobName != regenerated).SelectMany(c => c.BatchIndexes.Select(b => $"{c.JobName}/{b}"))
            .GroupBy(b => b).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var staleSbatch = sbatch.Count(c => c.Daemon == "daemon-a") - sbatchByFirstBeforeResume;
        var control = stack.SlurmControlCalls().Where(c => c.ChangesSlurm).ToList();
        var staleControl = control.Where(c => c.Daemon == "daemon-a" && c.At >= resumedAt).ToList();
        var refusals = first.Lines.Count(l => l.At >= resumedAt && l.Line.Contains("refused", StringComparison.Ordinal));
        Figures.Record(output, nameof(A_leader_paused_past_its_lease_and_resumed_submits_cancels_and_changes_nothing),
            $"paused={(resumedAt - pausedAt).TotalSeconds:F1}s takeover={(tookOverAt - pausedAt).TotalSeconds:F1}s "
            + $"steppedDownAfterResume={(steppedDownAt - resumedAt).TotalSeconds:F2}s jobs={inputs.Count} newGeneration={regenerated ?? "none"} "
            + $"recordsCompared={compared} submissions={submitted.Count} (a={submitted.Count(c => c.Daemon == "daemon-a")}, b={submitted.Count(c => c.Daemon == "daemon-b")}) "
            + $"duplicateTokens={twice.Count} batchesInTwoSbatch={batchesTwice.Count} staleSbatch={staleSbatch} "
            + $"staleScancel={staleControl.Count(c => c.Command == "scancel")} staleScontrol={staleControl.Count(c => c.Command == "scontrol")} "
            + $"scontrolByB={control.Count(c => c.Daemon == "daemon-b" && c.Command == "scontrol")} scancelByB={control.Count(c => c.Daemon == "daemon-b" && c.Command == "scancel")} "
            + $"refusalsLoggedByA={refusals} load={File.ReadAllText("/proc/loadavg").Trim()}");
        Assert.True(twice.Count == 0, $"dispatch tokens submitted more than once: {string.Join(", ", twice)}");
        Assert.True(batchesTwice.Count == 0, $"batches in two successful sbatch calls: {string.Join(", ", batchesTwice)}");
        Assert.True(staleSbatch == 0, $"the resumed leader ran sbatch {staleSbatch} times");
        Assert.True(staleControl.Count == 0, "the resumed leader changed Slurm: " + string.Join("; ", staleControl.Select(c => $"{c.Command} {c.Arguments}")));
    }

    /// <summary>daemon-a, once it leads, then daemon-b, once it stands by.</summary>
    private static async Task<(DaemonHandle First, DaemonHandle Second)> StartLeaderAndStandbyAsync(ChaosStack stack,
        IReadOnlyDictionary<string, string?>? firstExtra = null)
    {
        var firstEnvironment = new Dictionary<string, string?>(firstExtra ?? new Dictionary<string, string?>())
        {
            ["COORDINATOR_DAEMON__LEADERELECTION__IDENTITY"] = "daemon-a",
        };
        var first = stack.StartDaemon("daemon-a", firstEnvironment);
        await first.WaitForLineAsync("acquired the lease", TimeSpan.FromMinutes(1));
        var second = stack.StartDaemon("daemon-b", new Dictionary<string, string?> { ["COORDINATOR_DAEMON__LEADERELECTION__IDENTITY"] = "daemon-b" });
        await second.WaitForLineAsync("standing by", TimeSpan.FromMinutes(1));
        return (first, second);
    }

    /// <summary>6 (CI) / 20 (soak) jobs of 6–15 records, 4 per batch; returns each job's records.</summary>
    private static async Task<Dictionary<string, string[]>> SubmitJobsAsync(ChaosStack stack, string prefix, Random random,
        Action<System.Text.Json.Nodes.JsonObject>? edit = null)
    {
        var inputs = new Dictionary<string, string[]>();
        for (var i = 0; i < ChaosMode.Pick(6, 20); i++)
        {
            var job = stack.JobName($"{prefix}{i:00}");
            inputs[job] = ChaosJobs.Records(job, random.Next(6, 16), new Random(random.Next()));
            await ChaosJobs.SubmitAsync(stack, job, inputs[job], maxRecords: 4, edit);
        }
        return inputs;
    }

    /// <summary>Sends SIGSTOP or SIGCONT to the daemon (only its own process) and returns when.</summary>
    private static DateTime Signal(DaemonHandle daemon, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", daemon.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
        return DateTime.UtcNow;
    }
}
