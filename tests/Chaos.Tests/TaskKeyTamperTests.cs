using System.Security.Cryptography;
using Amazon.DynamoDBv2.Model;
using Amazon.S3.Model;
using Xunit.Abstractions;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Issue 16 hole 3: task items are not trusted. Whoever can write the tasks table rewrites a task's keys: the worker
/// and the aggregator derive every key from the job's layout and refuse a task item whose keys differ. On the real
/// stack: a victim job runs to the end; a second job, held by spec.suspend once its tasks are stored, gets task 0's
/// inputKey rewritten to the victim's batch (with its sha256, so only the key check can stop it) and task 1's to
/// file:///etc/passwd, then is resumed: the worker refuses both. A third job gets the resultKey of its finished task 0
/// rewritten to the victim's result (sha256 and ETag too) while its task 1 still runs: the aggregator refuses it. No
/// record of the victim reaches any object of the two other jobs.
/// </summary>
public sealed class TaskKeyTamperTests(ITestOutputHelper output)
{
    private const string SlowSecondBatch = "if [ \"$COORDINATOR_BATCH\" = 1 ]; then sleep 8; fi; exec cat";

    [SkippableFact]
    public async Task A_task_item_whose_keys_differ_from_the_layout_is_refused_by_the_worker_and_by_the_aggregator()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        await using var stack = new ChaosStack("tamper");
        await stack.InitAsync();
        var daemon = stack.StartDaemon("daemon");

        var victim = stack.JobName("victim");
        var victimRecords = ChaosJobs.Records(victim, 2, new Random(ChaosMode.Seed));
        await ChaosJobs.SubmitAsync(stack, victim, victimRecords, maxRecords: 10);
        var input = stack.JobName("input");
        await ChaosJobs.SubmitAsync(stack, input, ChaosJobs.Records(input, 2, new Random(ChaosMode.Seed + 1)), maxRecords: 1, spec =>
        {
            spec["suspend"] = new System.Text.Json.Nodes.JsonObject { ["BOOL"] = true };
            spec["retry"]!["M"]!["maxAttempts"] = N(1);
        });
        await stack.WaitForAllAsync([victim], TimeSpan.FromMinutes(2), ["Succeeded", "Failed", "Invalid"]);
        var victimTask = Assert.Single(await stack.TaskItemsAsync(victim));
        var inputTasks = await WaitForTasksAsync(stack, input, 2);

        // The worker's side: rewrite both stored tasks of the suspended job, then resume it.
        var passwdSha = Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync("/etc/passwd"))).ToLowerInvariant();
        await TamperAsync(stack, inputTasks[0], ("inputKey", victimTask["inputKey"].S), ("inputSha256", victimTask["inputSha256"].S));
        await TamperAsync(stack, inputTasks[1], ("inputKey", "file:///etc/passwd"), ("inputSha256", passwdSha));

        var result = stack.JobName("result");
        await ChaosJobs.SubmitAsync(stack, result, ChaosJobs.Records(result, 2, new Random(ChaosMode.Seed + 2)), maxRecords: 1, spec =>
        {
            spec["handler"]!["M"]!["command"] = L(S("sh"), S("-c"), S(SlowSecondBatch));
            spec["retry"]!["M"]!["maxAttempts"] = N(1);
        });
        await stack.Dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = stack.JobsTable,
            Key = new() { ["name"] = new AttributeValue { S = input } },
            UpdateExpression = "SET spec.suspend = :s",
            ExpressionAttributeValues = new() { [":s"] = new AttributeValue { BOOL = false } },
        });

        // The aggregator's side: once task 0 of the third job has succeeded (task 1 sleeps 8 s), point it at the victim's result.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        Dictionary<string, AttributeValue>? done = null;
        while (done is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"task 0 of {result} did not succeed: {ChaosStack.Describe(await stack.StatusAsync(result))}");
            Assert.True(daemon.ExitCode is null, $"the daemon exited: {daemon.Tail()}");
            done = (await stack.TaskItemsAsync(result)).FirstOrDefault(t => t["index"].N == "0" && string.Equals(t["state"].S, "Succeeded", StringComparison.OrdinalIgnoreCase));
            await Task.Delay(done is null ? 200 : 0);
        }
        Assert.True(ChaosStack.Phase(await stack.StatusAsync(result)) == "Running", "the third job ended before its result could be tampered with");
        await TamperAsync(stack, done, ("resultKey", victimTask["resultKey"].S), ("resultSha256", victimTask["resultSha256"].S), ("resultETag", victimTask["resultETag"].S));

        var finals = await stack.WaitForAllAsync([input, result], TimeSpan.FromMinutes(3), ["Succeeded", "Failed", "Invalid"]);

        Assert.True(ChaosStack.Phase(finals[input]) == "Failed", ChaosStack.Describe(finals[input]));
        var reasons = (await stack.TaskItemsAsync(input)).OrderBy(t => t["index"].N, StringComparer.Ordinal).Select(t => t["reason"].S).ToList();
        Assert.Contains($"task 0 of job {input}: input key does not match the job's layout", reasons[0], StringComparison.Ordinal);
        Assert.Contains($"task 1 of job {input}: input key does not match the job's layout", reasons[1], StringComparison.Ordinal);

        Assert.True(ChaosStack.Phase(finals[result]) == "Failed", ChaosStack.Describe(finals[result]));
        Assert.Contains($"task 0 of job {result}: result key does not match the job's layout", ChaosStack.Text(finals[result], "message"), StringComparison.Ordinal);

        // Nothing of the victim (nor of /etc/passwd) in any object of the two tampered jobs.
        var objects = (await stack.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = stack.Bucket })).S3Objects ?? [];
        var theirs = objects.Where(o => !o.Key.Contains(victim, StringComparison.Ordinal)).ToList();
        foreach (var o in theirs)
        {
            var text = await stack.ReadAsync($"s3://{stack.Bucket}/{o.Key}");
            Assert.DoesNotContain(victim, text, StringComparison.Ordinal);
            Assert.DoesNotContain("root:", text, StringComparison.Ordinal);
        }
        Figures.Record(output, nameof(TaskKeyTamperTests), $"objectsChecked={theirs.Count} inputReasons={string.Join(" | ", reasons)}");
    }

    private static async Task<List<Dictionary<string, AttributeValue>>> WaitForTasksAsync(ChaosStack stack, string job, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var tasks = await stack.TaskItemsAsync(job);
            if (tasks.Count == count && ChaosStack.Phase(await stack.StatusAsync(job)) == "Suspended")
            {
                return [.. tasks.OrderBy(t => t["index"].N, StringComparer.Ordinal)];
            }
            Assert.True(DateTime.UtcNow < deadline, $"{job}: {tasks.Count} tasks stored, {ChaosStack.Describe(await stack.StatusAsync(job))}");
            await Task.Delay(300);
        }
    }

    private static async Task TamperAsync(ChaosStack stack, Dictionary<string, AttributeValue> task, params (string Name, string Value)[] edits)
    {
        var item = new Dictionary<string, AttributeValue>(task);
        foreach (var (name, value) in edits)
        {
            item[name] = new AttributeValue { S = value };
        }
        await stack.Dynamo.PutItemAsync(new PutItemRequest { TableName = stack.TasksTable, Item = item });
    }
}
