using System.Text.Json.Nodes;
using static Coordinator.Testing.Items.JobItems;

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
        var runs = Path.Combine(stack.Work, name + ".runs");
        // Every run appends its batch to the runs file; batch 1 fails until the flag file exists: the "fix" the user
        // makes before redriving.
        var handler = $"import os, sys\nb = os.environ['COORDINATOR_BATCH']\nopen('{runs}', 'a').write(b + '\\n')\n"
            + $"if b == '1' and not os.path.exists('{flag}'): sys.exit(5)\nsys.stdout.write(sys.stdin.read())";
        await stack.PutItemAsync(Wordcount(name, stack.Bucket, spec =>
        {
            spec["handler"]!["M"]!["command"] = L(S("python3"), S("-c"), S(handler));
            spec["retry"]!["M"]!["maxAttempts"] = N(1);
            // One task at a time, in index order: batch 0 has succeeded before batch 1 fails the job (a failure
            // cancels the batches still running, and the test is about the ones that had succeeded).
            spec["slurm"]!["M"]!["maxConcurrent"] = N(1);
        }));
        var failed = await stack.WaitForPhaseAsync(name, Limit, "Failed", "Succeeded");
        Assert.Equal(("Failed", "0"), (E2eStack.Phase(failed), E2eStack.Text(failed, "completedIndexes")));
        await File.WriteAllTextAsync(flag, "");
        var retry = await stack.RunAsync(E2eStack.Executable, "retry", name);
        Assert.True(retry.ExitCode == 0, retry.StandardError);
        var status = await stack.WaitForPhaseAsync(name, Limit, "Succeeded");
        Assert.Equal(2, E2eStack.Count(status, "batches", "succeeded"));
        // The redrive ran batch 1 again and left batch 0, which had succeeded, alone.
        var ran = (await File.ReadAllLinesAsync(runs)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["0", "1", "1"], ran);
    }

    [SkippableFact]
    public async Task SuspendHoldsPendingSlurmTasksAndResumeRunsTheJobToSuccess()
    {
        var stack = Stack;
        var name = Name("suspend");
        await stack.UploadAsync($"in/{name}/part-0.jsonl", WordcountInput(200));
        await stack.PutItemAsync(Wordcount(name, stack.Bucket, spec =>
        {
            spec["handler"]!["M"]!["command"] = L(S("python3"), S("-c"), S("import sys, time\ntime.sleep(2)\nsys.stdout.write(sys.stdin.read())"));
            spec["slurm"]!["M"]!["maxConcurrent"] = N(1);
        }));
        await stack.WaitForPhaseAsync(name, Limit, "Running");

        var suspend = await stack.RunAsync(E2eStack.Executable, "suspend", name);
        Assert.True(suspend.ExitCode == 0, suspend.StandardError);
        await stack.WaitForPhaseAsync(name, Limit, "Suspended");
        var held = await PendingReasonsAsync(stack, name);
        Assert.True(held.Count > 0 && held.All(r => r.Contains("Held", StringComparison.Ordinal)), "pending tasks not held: " + string.Join(", ", held));
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.Equal("Suspended", E2eStack.Phase((await stack.StatusAsync(name))!.Value));
        Assert.Equal(held, await PendingReasonsAsync(stack, name));

        var resume = await stack.RunAsync(E2eStack.Executable, "resume", name);
        Assert.True(resume.ExitCode == 0, resume.StandardError);
        var status = await stack.WaitForPhaseAsync(name, Limit, "Succeeded", "Failed");
        Assert.True(E2eStack.Phase(status) == "Succeeded", status.ToString());
        Assert.Equal((8, 200), (E2eStack.Count(status, "batches", "succeeded"), E2eStack.Count(status, "records", "output")));
    }

    /// <summary>The squeue reason of every pending array task line of the job (e.g. "JobHeldAdmin").</summary>
    private static async Task<List<string>> PendingReasonsAsync(E2eStack stack, string name)
    {
        var squeue = await stack.RunAsync("squeue", "-h", "-n", name, "-t", "PENDING", "-o", "%i %r");
        return [.. squeue.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }

    [SkippableFact]
    public async Task PutItem_FileInputAndOutputOnASharedFilesystem()
    {
        var stack = Stack;
        var name = Name("file");
        var input = Directory.CreateDirectory(Path.Combine(stack.Work, name, "in")).FullName;
        var records = WordcountInput(50).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Two files under the prefix: read in lexicographic order, record offsets counted across them.
        await File.WriteAllTextAsync(Path.Combine(input, "part-0.jsonl"), string.Join('\n', records[..30]) + "\n");
        await File.WriteAllTextAsync(Path.Combine(input, "part-1.jsonl"), string.Join('\n', records[30..]) + "\n");
        var output = Path.Combine(stack.Work, name, "out");
        await stack.PutItemAsync(Wordcount(name, stack.Bucket, spec =>
        {
            spec["input"]!["M"]!["uri"] = S($"file://{input}/");
            spec["output"]!["M"]!["uri"] = S($"file://{output}/");
        }));

        var status = await stack.WaitForPhaseAsync(name, Limit, "Succeeded", "Failed", "Invalid");
        Assert.True(E2eStack.Phase(status) == "Succeeded", $"{status}\n{stack.DaemonLog}");
        var uri = new Uri(E2eStack.Text(status.GetProperty("output").GetProperty("M"), "uri"));
        Assert.Equal("file", uri.Scheme);
        Assert.StartsWith(output, uri.LocalPath, StringComparison.Ordinal);
        var lines = (await File.ReadAllTextAsync(uri.LocalPath)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, 50), lines.Select(l => JsonNode.Parse(l)!["id"]!.GetValue<int>()));
        Assert.Equal((2, 50), (E2eStack.Count(status, "batches", "succeeded"), E2eStack.Count(status, "records", "output")));
    }
}
