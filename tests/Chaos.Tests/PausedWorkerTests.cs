using System.Globalization;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using Coordinator.Testing.Processes;
using Xunit.Abstractions;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// A worker paused (SIGSTOP) past the staleness limit is declared lost and its batch is rerun by the daemon, by a
/// second attempt that records its result. The stopped worker's Slurm array element stays RUNNING, and the daemon never
/// resubmits a batch Slurm still runs, so it cancels exactly that element (`scancel {jobId}_{index}`, a submission of
/// its own deployment) when it declares the batch lost (issue 15, the paused array element; before, the rerun waited
/// forever and the test ran it by hand). Slurm's scancel resumes the stopped worker (SIGCONT) with SIGTERM, then kills
/// it; the rerun is dispatched only once the element has left the queue, so the old worker is gone by then. Whatever
/// it did, the output must be exactly the recorded attempts': once with a deterministic handler (output = input) and
/// once with a handler that writes its attempt number (COORDINATOR_ATTEMPT) into every record, compared record by
/// record with the attempt recorded on each task item. The handler of batch 0's first attempt writes its parent's
/// (the worker's) pid to a file and SIGSTOPs it.
/// </summary>
public sealed class PausedWorkerTests(PausedWorkerStackFixture fixture, ITestOutputHelper output) : IClassFixture<PausedWorkerStackFixture>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(6);
    private static readonly string[] Done = ["Succeeded", "Failed", "Invalid", "Cancelled"];
    private const int RecordsPerBatch = 4;

    private ChaosStack Stack
    {
        get
        {
            Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
            return fixture.Stack!;
        }
    }

    [SkippableFact]
    public async Task A_worker_paused_past_staleness_has_its_element_cancelled_and_its_batch_rerun_by_the_daemon_leaving_exactly_the_recorded_attempts_output()
    {
        var compared = await Task.WhenAll(RunAsync("paused-same", tagAttempt: false), RunAsync("paused-tagged", tagAttempt: true));
        output.WriteLine($"records compared: {compared.Sum()} ({compared[0]} deterministic, {compared[1]} attempt-tagged)");
    }

    private static string Handler(string work, bool tagAttempt) =>
        "import json, os, signal, sys, time\n"
        + $"work = '{work}'\n"
        + "batch, attempt = os.environ['COORDINATOR_BATCH'], int(os.environ['COORDINATOR_ATTEMPT'])\n"
        + "lines = sys.stdin.read().splitlines()\n"
        + (tagAttempt
            ? "out = [json.dumps(dict(json.loads(l), attempt=attempt)) for l in lines if l]\n"
            : "out = [l for l in lines if l]\n")
        + "sys.stdout.write(''.join(o + '\\n' for o in out)); sys.stdout.flush()\n"
        + "if batch == '0' and attempt == 1:\n"
        + "    with open(os.path.join(work, 'worker.pid.tmp'), 'w') as f: f.write(str(os.getppid()))\n"
        + "    os.rename(os.path.join(work, 'worker.pid.tmp'), os.path.join(work, 'worker.pid'))\n"
        + "    os.kill(os.getppid(), signal.SIGSTOP)\n";

    private async Task<int> RunAsync(string what, bool tagAttempt)
    {
        var stack = Stack;
        var job = stack.JobName(what);
        var work = Path.Combine(stack.Work, what);
        Directory.CreateDirectory(work);
        var records = ChaosJobs.Records(job, 2 * RecordsPerBatch, new Random(ChaosMode.Seed));
        await ChaosJobs.SubmitAsync(stack, job, records, maxRecords: RecordsPerBatch, spec =>
        {
            spec["handler"]!["M"]!["command"] = L(S("python3"), S("-c"), S(Handler(work, tagAttempt)));
            spec["retry"]!["M"]!["maxAttempts"] = N(3);
        });

        var pidFile = Path.Combine(work, "worker.pid");
        await WaitUntilAsync(() => Task.FromResult(File.Exists(pidFile)), $"{job}: batch 0's first attempt never paused its worker");
        var pid = int.Parse(await File.ReadAllTextAsync(pidFile), CultureInfo.InvariantCulture);
        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {job}: worker {pid} paused");
        try
        {
            await WaitUntilAsync(async () => await TaskAsync(job, 0) is { } t && ChaosStack.Text(t, "reason").StartsWith("Lost", StringComparison.Ordinal),
                $"{job}: batch 0 was not declared lost while its worker was paused");
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {job}: batch 0 declared lost");
            await WaitUntilAsync(async () => await TaskAsync(job, 0) is { } t && State(t) == "Succeeded" && Attempt(t) >= 2,
                $"{job}: the daemon did not rerun batch 0 while its first worker was paused (its Slurm element still RUNNING)", TimeSpan.FromSeconds(90));
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {job}: batch 0 recorded by attempt {Attempt((await TaskAsync(job, 0))!)}");
            Assert.False(Directory.Exists($"/proc/{pid}"), $"{job}: the paused worker {pid} was still there when the rerun recorded batch 0");
        }
        finally
        {
            if (Directory.Exists($"/proc/{pid}"))
            {
                await ProcessRunner.RunAsync("kill", ["-CONT", pid.ToString(CultureInfo.InvariantCulture)], stack.Settings, TimeSpan.FromSeconds(30));
            }
        }
        var slurmJobId = stack.SbatchCalls().First(c => c.JobName == job && c.ExitCode == 0).JobId;
        var cancels = stack.SlurmControlCalls().Where(c => c.Command == "scancel" && c.Arguments.Contains(slurmJobId, StringComparison.Ordinal)).Select(c => c.Arguments).ToList();
        Assert.True(cancels.Count > 0 && cancels.All(a => a.Trim() == $"{slurmJobId}_0"), $"{job}: scancel calls for Slurm job {slurmJobId}: [{string.Join("; ", cancels)}]");

        var status = (await stack.WaitForAllAsync([job], Limit, Done))[job];
        output.WriteLine($"{job}: {ChaosStack.Describe(status)}");
        Assert.True(ChaosStack.Phase(status) == "Succeeded", ChaosStack.Describe(status));

        var tasks = new[] { (await TaskAsync(job, 0))!, (await TaskAsync(job, 1))! };
        var attempts = tasks.Select(Attempt).ToArray();
        Assert.True(attempts[0] >= 2, $"batch 0 recorded by attempt {attempts[0]}");
        var lines = (await stack.ReadAsync(ChaosStack.Text(status["output"].M, "uri"))).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == records.Length, $"{job}: {lines.Length} output records for {records.Length} input records");
        for (var i = 0; i < records.Length; i++)
        {
            var expected = JsonNode.Parse(records[i])!.AsObject();
            if (tagAttempt)
            {
                expected["attempt"] = attempts[i / RecordsPerBatch];
            }
            Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(lines[i])),
                $"{job}: output record {i} is {lines[i]}, expected {expected.ToJsonString()} (batch {i / RecordsPerBatch}, recorded attempt {attempts[i / RecordsPerBatch]})");
        }
        Assert.Equal((records.Length, records.Length),
            ((int)ChaosStack.Count(status, "records", "input"), (int)ChaosStack.Count(status, "records", "output")));

        // The paused worker uploaded nothing: the only result objects are the recorded ones.
        var recordedKeys = tasks.Select(t => ChaosStack.Text(t, "resultKey")).ToHashSet();
        var resultsPrefix = recordedKeys.First()[..(recordedKeys.First().LastIndexOf('/') + 1)];
        var listed = await stack.S3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request
        {
            BucketName = stack.Bucket,
            Prefix = new Uri(resultsPrefix).AbsolutePath.TrimStart('/'),
        });
        var keys = (listed.S3Objects ?? []).Select(o => $"s3://{stack.Bucket}/{o.Key}").ToList();
        Assert.True(keys.ToHashSet().SetEquals(recordedKeys), $"{job}: result objects {string.Join(", ", keys)}, recorded {string.Join(", ", recordedKeys)}");
        Assert.True(tasks.All(t => ChaosStack.Text(t, "resultETag").Length > 0), $"{job}: a task item records no result ETag");
        return records.Length;
    }

    private async Task<Dictionary<string, AttributeValue>?> TaskAsync(string job, int index) =>
        (await Stack.TaskItemsAsync(job)).FirstOrDefault(t => t.TryGetValue("index", out var i) && i.N == index.ToString(CultureInfo.InvariantCulture));

    private static string State(Dictionary<string, AttributeValue> task) => ChaosStack.Text(task, "state");

    private static int Attempt(Dictionary<string, AttributeValue> task) => int.Parse(ChaosStack.Text(task, "attempt"), CultureInfo.InvariantCulture);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure, TimeSpan? limit = null)
    {
        var within = limit ?? TimeSpan.FromMinutes(3);
        for (var deadline = DateTime.UtcNow + within; !await condition(); await Task.Delay(250))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{failure} within {within.TotalSeconds:F0} s");
            }
        }
    }
}
