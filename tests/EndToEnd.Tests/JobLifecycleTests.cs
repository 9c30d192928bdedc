using System.Text.Json.Nodes;
using static Coordinator.EndToEnd.Tests.JobItems;

namespace Coordinator.EndToEnd.Tests;

/// <summary>
/// A job inserted with the AWS CLI runs end to end: put-item → `coordinator daemon` → real Slurm → output in S3 →
/// get-item shows the outcome with counts. One daemon serves every test of the class.
/// </summary>
[Collection("EndToEnd")]
public sealed class JobLifecycleTests(E2eStackFixture fixture) : IClassFixture<E2eStackFixture>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    private E2eStack Stack
    {
        get
        {
            Skip.If(E2eStack.Unavailable is not null, E2eStack.Unavailable);
            return fixture.Stack!;
        }
    }

    /// <summary>A stdio handler that passes records through and exits 3, with a message, on the record with this id.</summary>
    private static string FailOnId(int id) =>
        $"import json, sys\nfor line in sys.stdin:\n    if json.loads(line)['id'] == {id}: sys.exit('cannot handle record {id}')\n    sys.stdout.write(line)";

    private static string Name(string what) => $"e2e-{what}-{Guid.NewGuid().ToString("N")[..6]}";

    [SkippableFact]
    public async Task PutItem_WordcountExampleRunsOnSlurmAndSucceedsWithCountsAndOutputInS3()
    {
        var stack = Stack;
        var name = Name("wc");
        await stack.UploadAsync($"in/{name}/part-0.jsonl", WordcountInput(100));
        await stack.PutItemAsync(Wordcount(name, stack.Bucket));

        var status = await stack.WaitForPhaseAsync(name, Limit, "Succeeded", "Failed", "Invalid");
        Assert.True(E2eStack.Phase(status) == "Succeeded", $"{status}\n{stack.DaemonLog}");
        Assert.Equal(4, E2eStack.Count(status, "batches", "succeeded"));
        Assert.Equal((100, 100), (E2eStack.Count(status, "records", "input"), E2eStack.Count(status, "records", "output")));
        var output = await stack.DownloadAsync(E2eStack.Text(status.GetProperty("output").GetProperty("M"), "uri"));
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, 100), lines.Select(l => JsonNode.Parse(l)!["id"]!.GetValue<int>()));
    }

    [SkippableFact]
    public async Task PutItem_HandlerFailingOnSomeRecordsIsRetriedThenFailsWithPerBatchReasons()
    {
        var stack = Stack;
        var name = Name("bad");
        await stack.UploadAsync($"in/{name}/part-0.jsonl", WordcountInput(50));
        // A Python handler that fails on one record (id 30, in batch 1); the others pass through.
        await stack.PutItemAsync(Wordcount(name, stack.Bucket, spec =>
        {
            spec["handler"]!["M"]!["command"] = L(S("python3"), S("-c"), S(FailOnId(30)));
            spec["retry"]!["M"]!["maxAttempts"] = N(2);
        }));
        var status = await stack.WaitForPhaseAsync(name, Limit, "Succeeded", "Failed");
        Assert.Equal("Failed", E2eStack.Phase(status));
        Assert.Equal("1", E2eStack.Text(status, "failedIndexes"));
        Assert.Contains("batch 1", E2eStack.Text(status, "message"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task PutItem_ToleratedFailureStillSucceeds()
    {
        var stack = Stack;
        var name = Name("tol");
        await stack.UploadAsync($"in/{name}/part-0.jsonl", WordcountInput(100));
        await stack.PutItemAsync(Wordcount(name, stack.Bucket, spec =>
        {
            spec["handler"]!["M"]!["command"] = L(S("python3"), S("-c"), S(FailOnId(80)));
            spec["retry"]!["M"]!["maxAttempts"] = N(1);
            spec["retry"]!["M"]!.AsObject().Remove("rules");
            spec["failurePolicy"] = M(("toleratedFailureCount", N(1)));
        }));
        var status = await stack.WaitForPhaseAsync(name, Limit, "Succeeded", "Failed");
        Assert.Equal("Succeeded", E2eStack.Phase(status));
        Assert.Equal((75, 25), (E2eStack.Count(status, "records", "output"), E2eStack.Count(status, "records", "failed")));
    }

    [SkippableFact]
    public async Task PutItem_PilotModeDrainsBatchesWithTwoWorkers()
    {
        var stack = Stack;
        var name = Name("pilot");
        await stack.UploadAsync($"in/{name}/part-0.jsonl", WordcountInput(200));
        await stack.PutItemAsync(Wordcount(name, stack.Bucket, spec =>
        {
            spec["batching"]!["M"]!["maxRecords"] = N(10);
            spec["dispatch"] = M(("mode", S("pilot")), ("workers", N(2)));
        }));
        var status = await stack.WaitForPhaseAsync(name, Limit, "Succeeded", "Failed");
        Assert.True(E2eStack.Phase(status) == "Succeeded", status.ToString());
        Assert.Equal((20, 200), (E2eStack.Count(status, "batches", "succeeded"), E2eStack.Count(status, "records", "output")));
    }

    [SkippableFact]
    public async Task Cancel_StopsTheJobAndItsSlurmTasks()
    {
        var stack = Stack;
        var name = Name("cancel");
        await stack.UploadAsync($"in/{name}/part-0.jsonl", WordcountInput(50));
        await stack.PutItemAsync(Wordcount(name, stack.Bucket, spec =>
            spec["handler"]!["M"]!["command"] = L(S("sleep"), S("120"))));
        await stack.WaitForPhaseAsync(name, Limit, "Running");
        var cancel = await stack.RunAsync(E2eStack.Executable, "cancel", name);
        Assert.True(cancel.ExitCode == 0, cancel.StandardError);
        var status = await stack.WaitForPhaseAsync(name, Limit, "Cancelled");
        Assert.Equal("Cancelled", E2eStack.Phase(status));
        // scancel is asynchronous: cancelled array tasks linger in squeue as CG (completing) for a moment, and a
        // submission the daemon made while the CLI was cancelling is cancelled by the daemon's next reconcile.
        // So the queue must drain within a bound, not at once.
        var left = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline;)
        {
            var squeue = await stack.RunAsync("squeue", "-h", "-n", name, "-o", "%i %T");
            left = squeue.StandardOutput.Trim();
            if (left.Length == 0)
            {
                break;
            }
            await Task.Delay(500);
        }
        Assert.True(left.Length == 0, $"Slurm still runs tasks of the cancelled job 60 s later: {left}");
        Assert.Equal("Cancelled", E2eStack.Phase((await stack.StatusAsync(name))!.Value));
    }

    [SkippableFact]
    public async Task Retry_RedrivesOnlyTheFailedBatchesOfAFailedJob()
    {
        var stack = Stack;
        var name = Name("redrive");
        var flag = Path.Combine(stack.Work, name + ".fixed");
        await stack.UploadAsync($"in/{name}/part-0.jsonl", WordcountInput(50));
        // Batch 1 fails until the flag file exists: the "fix" the user makes before redriving.
        var handler = $"import os, sys\nif os.environ['COORDINATOR_BATCH'] == '1' and not os.path.exists('{flag}'): sys.exit(5)\nsys.stdout.write(sys.stdin.read())";
        await stack.PutItemAsync(Wordcount(name, stack.Bucket, spec =>
        {
            spec["handler"]!["M"]!["command"] = L(S("python3"), S("-c"), S(handler));
            spec["retry"]!["M"]!["maxAttempts"] = N(1);
        }));
        var failed = await stack.WaitForPhaseAsync(name, Limit, "Failed", "Succeeded");
        Assert.Equal(("Failed", "0"), (E2eStack.Phase(failed), E2eStack.Text(failed, "completedIndexes")[..1]));
        await File.WriteAllTextAsync(flag, "");
        var retry = await stack.RunAsync(E2eStack.Executable, "retry", name);
        Assert.True(retry.ExitCode == 0, retry.StandardError);
        var status = await stack.WaitForPhaseAsync(name, Limit, "Succeeded");
        Assert.Equal(2, E2eStack.Count(status, "batches", "succeeded"));
    }
}
