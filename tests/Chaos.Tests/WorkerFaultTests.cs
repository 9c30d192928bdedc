using Coordinator.Testing.Processes;
using Xunit.Abstractions;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Worker faults on real Slurm, each handled as docs/dispatch.md's policy says: a crash or a timeout is a counted
/// attempt (retried until maxAttempts, then the job fails naming the batch); a SIGKILLed worker leaves a task that is
/// declared lost and retried; `scancel` is a disruption (retried, not counted: maxAttempts 1 still succeeds); a node
/// set DRAIN holds new work until resumed and a node set DOWN kills running work, which is then retried.
/// </summary>
public sealed class WorkerFaultTests(WorkerFaultStackFixture fixture, ITestOutputHelper output) : IClassFixture<WorkerFaultStackFixture>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(6);
    private static readonly string[] Done = ["Succeeded", "Failed", "Invalid", "Cancelled"];

    private ChaosStack Stack
    {
        get
        {
            Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
            return fixture.Stack!;
        }
    }

    /// <summary>A stdio handler that runs <paramref name="fault"/> on batch <paramref name="batch"/>'s first attempt(s), else copies stdin.</summary>
    private static string Faulty(int batch, string fault, bool everyAttempt = false) =>
        "import os, sys, time, signal\n"
        + $"if os.environ['COORDINATOR_BATCH'] == '{batch}' and ({(everyAttempt ? "True" : "os.environ['COORDINATOR_ATTEMPT'] == '1'")}):\n"
        + $"    {fault}\n"
        + "sys.stdout.write(sys.stdin.read())";

    private async Task<(string Job, string[] Records, Dictionary<string, Amazon.DynamoDBv2.Model.AttributeValue> Status)> RunAsync(
        string what, string handler, Action<System.Text.Json.Nodes.JsonObject>? edit = null, Func<string, Task>? meanwhile = null)
    {
        var stack = Stack;
        var job = stack.JobName(what);
        var records = ChaosJobs.Records(job, 8, new Random(ChaosMode.Seed));
        await ChaosJobs.SubmitAsync(stack, job, records, maxRecords: 4, spec =>
        {
            spec["handler"]!["M"]!["command"] = L(S("python3"), S("-c"), S(handler));
            edit?.Invoke(spec);
        });
        if (meanwhile is not null)
        {
            await meanwhile(job);
        }
        var status = (await stack.WaitForAllAsync([job], Limit, Done))[job];
        output.WriteLine($"{job}: {ChaosStack.Describe(status)}");
        return (job, records, status);
    }

    private async Task AssertSucceededWithAllRecordsAsync(string job, string[] records, Dictionary<string, Amazon.DynamoDBv2.Model.AttributeValue> status)
    {
        Assert.True(ChaosStack.Phase(status) == "Succeeded", ChaosStack.Describe(status));
        await ChaosJobs.AssertOutputEqualsInputAsync(Stack, job, records, status);
    }

    /// <summary>
    /// Five faults, each in its own job, run at once on the one daemon (they share nothing but Slurm, and running them
    /// together keeps the CI mode short): crash once, crash always, timeout, SIGKILLed worker, scancel.
    /// </summary>
    [SkippableFact]
    public async Task Crash_timeout_SIGKILLed_worker_and_scancel_are_each_handled_as_the_policy_says()
    {
        var started = Path.Combine(Stack.Work, "scancel-started");
        await Task.WhenAll(
            CrashOnceAsync(),
            CrashAlwaysAsync(),
            TimeoutAsync(),
            SigkillAsync(),
            ScancelAsync(started));
    }

    /// <summary>A handler that crashes (SIGABRT) once is retried and the job succeeds.</summary>
    private async Task CrashOnceAsync()
    {
        var (job, records, status) = await RunAsync("crash-once", Faulty(1, "os.abort()"));
        await AssertSucceededWithAllRecordsAsync(job, records, status);
    }

    /// <summary>A handler that always crashes fails the job after maxAttempts, naming the batch.</summary>
    private async Task CrashAlwaysAsync()
    {
        var (_, _, status) = await RunAsync("crash-always", Faulty(1, "os.abort()", everyAttempt: true),
            spec => spec["retry"]!["M"]!["maxAttempts"] = N(2));
        Assert.Equal("Failed", ChaosStack.Phase(status));
        Assert.Equal("1", ChaosStack.Text(status, "failedIndexes"));
        Assert.Contains("batch 1", ChaosStack.Text(status, "message"), StringComparison.Ordinal);
    }

    /// <summary>A handler past its timeout is stopped, the attempt counted and retried; the job succeeds.</summary>
    private async Task TimeoutAsync()
    {
        var (job, records, status) = await RunAsync("timeout", Faulty(0, "time.sleep(120)"),
            spec => spec["handler"]!["M"]!["timeout"] = S("3s"));
        await AssertSucceededWithAllRecordsAsync(job, records, status);
    }

    /// <summary>
    /// The handler kills its parent, the worker, with SIGKILL: no outcome is ever recorded for this attempt, the task
    /// is declared lost and retried, and the job succeeds.
    /// </summary>
    private async Task SigkillAsync()
    {
        var (job, records, status) = await RunAsync("sigkill", Faulty(0, "os.kill(os.getppid(), signal.SIGKILL); time.sleep(2); sys.exit(9)"));
        await AssertSucceededWithAllRecordsAsync(job, records, status);
    }

    /// <summary>scancel of a running task is a disruption: retried without counting, so maxAttempts 1 still succeeds.</summary>
    private async Task ScancelAsync(string started)
    {
        var (job, records, status) = await RunAsync("scancel", Faulty(0, $"open('{started}', 'w').close(); time.sleep(120)"),
            spec => spec["retry"]!["M"]!["maxAttempts"] = N(1),
            async job =>
            {
                await WaitForFileAsync(started);
                (await ProcessRunner.RunAsync("scancel", ["--name", job], Stack.Settings, TimeSpan.FromSeconds(30))).EnsureSuccess("scancel");
            });
        await AssertSucceededWithAllRecordsAsync(job, records, status);
    }

    [SkippableFact]
    public async Task A_drained_node_holds_new_work_until_resumed_then_the_job_succeeds()
    {
        var stack = Stack;
        var node = await NodeAsync();
        var job = stack.JobName("drain");
        var records = ChaosJobs.Records(job, 8, new Random(ChaosMode.Seed));
        try
        {
            await SetNodeAsync(node, "drain");
            await ChaosJobs.SubmitAsync(stack, job, records, maxRecords: 4);
            // Dispatched while drained: the submission waits in the queue, nothing runs.
            for (var deadline = DateTime.UtcNow.AddSeconds(90); DateTime.UtcNow < deadline && (await SqueueAsync(job)).Length == 0;)
            {
                await Task.Delay(500);
            }
            var queued = await SqueueAsync(job);
            Assert.True(queued.Length > 0, "the job was never submitted while the node was drained");
            Assert.DoesNotContain("RUNNING", queued, StringComparison.Ordinal);
            Assert.NotEqual("Succeeded", ChaosStack.Phase(await stack.StatusAsync(job)));
        }
        finally
        {
            await SetNodeAsync(node, "resume");
        }
        var status = (await stack.WaitForAllAsync([job], Limit, Done))[job];
        await AssertSucceededWithAllRecordsAsync(job, records, status);
    }

    /// <summary>
    /// Soak mode only (it waits out Slurm's requeue delay, ~2 min): Slurm requeues the killed array task after the node
    /// failure and it runs again as the same attempt (a node failure is not the handler's fault), so the fault is keyed
    /// on a file, not on the attempt number.
    /// </summary>
    [SkippableFact]
    public async Task A_node_set_DOWN_under_running_work_kills_it_and_the_work_is_rerun_after_resume()
    {
        Skip.IfNot(ChaosMode.Soak, "soak mode only (CHAOS_SOAK=1): it waits out Slurm's ~2 min requeue delay; CI covers DRAIN");
        var node = await NodeAsync();
        var started = Path.Combine(Stack.Work, "down-started");
        var (job, records, status) = await RunAsync("down",
            $"import os, sys, time\nif os.environ['COORDINATOR_BATCH'] == '0' and not os.path.exists('{started}'):\n    open('{started}', 'w').close(); time.sleep(120)\nsys.stdout.write(sys.stdin.read())",
            null, async _ =>
        {
            await WaitForFileAsync(started);
            try
            {
                await SetNodeAsync(node, "down");
                await Task.Delay(3000);
            }
            finally
            {
                await SetNodeAsync(node, "resume");
            }
        });
        await AssertSucceededWithAllRecordsAsync(job, records, status);
    }

    private async Task<string> NodeAsync() =>
        (await ProcessRunner.RunAsync("sinfo", ["-h", "-N", "-o", "%N"], Stack.Settings, TimeSpan.FromSeconds(30))).EnsureSuccess("sinfo").StandardOutput.Trim().Split('\n')[0];

    private async Task SetNodeAsync(string node, string state)
    {
        string[] arguments = state == "resume"
            ? ["update", $"nodename={node}", "state=resume"]
            : ["update", $"nodename={node}", $"state={state}", "reason=chaos"];
        var result = await ProcessRunner.RunAsync("scontrol", arguments, Stack.Settings, TimeSpan.FromSeconds(30));
        // Resuming a node that is already up is refused by Slurm; anything else must work.
        if (state != "resume" || !result.StandardError.Contains("Invalid node state", StringComparison.Ordinal))
        {
            result.EnsureSuccess($"scontrol update state={state}");
        }
        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} node {node} set {state}");
    }

    private async Task<string> SqueueAsync(string job) =>
        (await ProcessRunner.RunAsync("squeue", ["-h", "-n", job, "-o", "%i %T"], Stack.Settings, TimeSpan.FromSeconds(30))).StandardOutput.Trim();

    private static async Task WaitForFileAsync(string file)
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(3); !File.Exists(file); await Task.Delay(200))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{file} was not created within 3 minutes");
            }
        }
    }
}
