using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Coordinator.Testing.Processes;
using Coordinator.Testing.Stack;

namespace Coordinator.Corpus.Tests;

/// <summary>
/// One `coordinator daemon` process on the real local stack (<see cref="CoordinatorStack"/>), fed the way users feed
/// it: `aws dynamodb put-item` / `batch-write-item` of job items and `aws s3 cp` of inputs.
/// Reading status for ~70 jobs with one `aws dynamodb get-item` each per second would cost more CPU than the daemon
/// (the CLI is Python), so observation goes through one SDK Scan per poll instead; submission stays on the CLI.
/// Cleanup cancels only the Slurm jobs named after this run's jobs (other suites share the cluster).
/// </summary>
public sealed class CorpusStack : CoordinatorStack
{
    /// <summary>
    /// Besides the work directory, the file roots hold the two places the object-store cases point at, so those cases
    /// reach the store's own errors rather than the file-root refusal (which store-file-outside-roots shows).
    /// </summary>
    public CorpusStack()
        : base("corpus", 8)
    {
        Settings["COORDINATOR__FILEROOTS__1"] = "/nonexistent/corpus";
        Settings["COORDINATOR__FILEROOTS__2"] = "/proc/corpus-out";
    }

    private readonly HashSet<string> _jobNames = new(StringComparer.Ordinal);
    private AmazonDynamoDBClient? _dynamo;

    public AmazonDynamoDBClient Dynamo => _dynamo ??= new AmazonDynamoDBClient(
        new BasicAWSCredentials(Environment["AWS_ACCESS_KEY_ID"] ?? "test", Environment["AWS_SECRET_ACCESS_KEY"] ?? "test"),
        new AmazonDynamoDBConfig { ServiceURL = Environment["AWS_ENDPOINT_URL"], AuthenticationRegion = "us-east-1" });

    /// <summary>Uploads every file under <paramref name="directory"/> to the bucket, keys relative to it (one `aws s3 cp --recursive`).</summary>
    public async Task UploadTreeAsync(string directory) =>
        (await AwsAsync("s3", "cp", "--recursive", "--no-progress", "--only-show-errors", directory, $"s3://{Bucket}/")).EnsureSuccess("aws s3 cp --recursive");

    /// <summary>`aws s3 cp` of one local file to s3://bucket/key.</summary>
    public async Task UploadFileAsync(string file, string key) =>
        (await AwsAsync("s3", "cp", "--no-progress", "--only-show-errors", file, $"s3://{Bucket}/{key}")).EnsureSuccess("aws s3 cp");

    /// <summary>`aws dynamodb put-item --item file://job.json`, exactly as the README tells users.</summary>
    public Task PutItemAsync(JsonObject item)
    {
        Remember(item);
        return PutItemAsync(item.ToJsonString());
    }

    /// <summary>`aws dynamodb batch-write-item --request-items file://…`, 25 job items per call (the API's limit).</summary>
    public async Task BatchWriteItemsAsync(IReadOnlyList<JsonObject> items)
    {
        foreach (var chunk in items.Chunk(25))
        {
            var requests = new JsonArray();
            foreach (var item in chunk)
            {
                Remember(item);
                requests.Add(new JsonObject { ["PutRequest"] = new JsonObject { ["Item"] = item.DeepClone() } });
            }
            var file = Path.Combine(Work, $"batch-{Guid.NewGuid():N}.json");
            await File.WriteAllTextAsync(file, new JsonObject { [JobsTable] = requests }.ToJsonString());
            var result = (await AwsAsync("dynamodb", "batch-write-item", "--request-items", $"file://{file}", "--output", "json"))
                .EnsureSuccess("aws dynamodb batch-write-item");
            Assert.DoesNotContain("PutRequest", result.StandardOutput, StringComparison.Ordinal); // no UnprocessedItems
        }
    }

    private void Remember(JsonObject item)
    {
        if (item["name"]?["S"]?.GetValue<string>() is { } name)
        {
            lock (_jobNames)
            {
                _jobNames.Add(name);
            }
        }
    }

    /// <summary>Every job item of the table (one paged Scan): name → item.</summary>
    public async Task<Dictionary<string, Dictionary<string, AttributeValue>>> ScanJobsAsync()
    {
        var jobs = new Dictionary<string, Dictionary<string, AttributeValue>>(StringComparer.Ordinal);
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await Dynamo.ScanAsync(new ScanRequest { TableName = JobsTable, ConsistentRead = true, ExclusiveStartKey = start });
            foreach (var item in page.Items ?? [])
            {
                if (item.TryGetValue("name", out var name) && name.S is { } s)
                {
                    jobs[s] = item;
                }
            }
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);
        return jobs;
    }

    /// <summary>The job item (strongly consistent GetItem), or null.</summary>
    public async Task<Dictionary<string, AttributeValue>?> GetJobAsync(string job)
    {
        var response = await Dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = JobsTable,
            Key = new() { ["name"] = new AttributeValue { S = job } },
            ConsistentRead = true,
        });
        return response.Item is { Count: > 0 } item ? item : null;
    }

    /// <summary>Polls the job item every 500 ms until <paramref name="done"/> holds; throws with the last item on timeout.</summary>
    public async Task WaitForJobAsync(string job, TimeSpan limit, Func<Dictionary<string, AttributeValue>, bool> done)
    {
        Dictionary<string, AttributeValue>? last = null;
        for (var deadline = DateTime.UtcNow + limit; DateTime.UtcNow < deadline; await Task.Delay(500))
        {
            last = await GetJobAsync(job);
            if (last is not null && done(last))
            {
                return;
            }
        }
        throw new TimeoutException($"job {job} did not reach the awaited state within {limit}; last: {new CaseOutcome(last, null)}");
    }

    /// <summary>The task items of one job, in batch order.</summary>
    public async Task<List<Dictionary<string, AttributeValue>>> TasksAsync(string job)
    {
        var response = await Dynamo.QueryAsync(new QueryRequest
        {
            TableName = TasksTable,
            KeyConditionExpression = "#j = :j",
            ExpressionAttributeNames = new() { ["#j"] = "job" },
            ExpressionAttributeValues = new() { [":j"] = new AttributeValue { S = job } },
            ConsistentRead = true,
        });
        return response.Items ?? [];
    }

    /// <summary>True when the daemon process runs and answers on its Prometheus scrape endpoint.</summary>
    public async Task<bool> DaemonAnswersAsync()
    {
        if (Daemon is null || Daemon.HasExited)
        {
            return false;
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            var body = await http.GetStringAsync(new Uri(new Uri(Settings["COORDINATOR_DAEMON__TELEMETRY__PROMETHEUSENDPOINT"]!), "metrics"));
            return body.Length > 0;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    protected override async Task CancelSlurmJobsAsync()
    {
        string[] names;
        lock (_jobNames)
        {
            names = [.. _jobNames];
        }
        var squeue = await ProcessRunner.RunAsync("squeue", ["-h", "-o", "%A %j"], Settings, TimeSpan.FromSeconds(30));
        foreach (var line in squeue.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', 2);
            if (parts.Length == 2 && names.Contains(parts[1].Trim()))
            {
                await ProcessRunner.RunAsync("scancel", [parts[0]], Settings, TimeSpan.FromSeconds(30));
            }
        }
    }

    protected override void DisposeClients() => _dynamo?.Dispose();
}
