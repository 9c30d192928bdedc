using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Coordinator.Testing.Processes;
using Coordinator.Testing.Stack;

namespace Coordinator.Corpus.Tests;

/// <summary>
/// One `coordinator daemon` process on the real local stack (moto + Slurm), with uniquely named tables and bucket,
/// fed the way users feed it: `aws dynamodb put-item` / `batch-write-item` of job items and `aws s3 cp` of inputs.
/// Reading status for ~70 jobs with one `aws dynamodb get-item` each per second would cost more CPU than the daemon
/// (the CLI is Python), so observation goes through one SDK Scan per poll instead; submission stays on the CLI.
/// Cleanup cancels only the Slurm jobs named after this run's jobs (other suites share the cluster).
/// </summary>
public sealed class CorpusStack : IAsyncDisposable
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];
    private readonly StringBuilder _daemonLog = new();
    private readonly HashSet<string> _jobNames = new(StringComparer.Ordinal);
    private Process? _daemon;
    private AmazonDynamoDBClient? _dynamo;

    public CorpusStack()
    {
        Work = Directory.CreateTempSubdirectory("coord-corpus-").FullName;
        Environment = StackEnvironment.Load().Variables;
        Settings = new Dictionary<string, string?>(Environment)
        {
            ["COORDINATOR__JOBSTABLE"] = $"corpus-jobs-{_suffix}",
            ["COORDINATOR__TASKSTABLE"] = $"corpus-tasks-{_suffix}",
            ["COORDINATOR__LEASESTABLE"] = $"corpus-leases-{_suffix}",
            ["COORDINATOR__BUCKET"] = $"corpus-{_suffix}",
            ["COORDINATOR__SLURM__WORKEREXECUTABLE"] = Executable,
            ["COORDINATOR__SLURM__LOGDIRECTORY"] = Path.Combine(Work, "slurm-logs"),
            ["AWS_PAGER"] = "",
            ["COORDINATOR_DAEMON__TELEMETRY__PROMETHEUSENDPOINT"] = $"http://127.0.0.1:{FreePort()}/",
        };
    }

    public string Work { get; }
    public IReadOnlyDictionary<string, string?> Environment { get; }
    public Dictionary<string, string?> Settings { get; }
    public string JobsTable => Settings["COORDINATOR__JOBSTABLE"]!;
    public string TasksTable => Settings["COORDINATOR__TASKSTABLE"]!;
    public string Bucket => Settings["COORDINATOR__BUCKET"]!;
    public string Suffix => _suffix;

    public string DaemonLog
    {
        get
        {
            lock (_daemonLog)
            {
                return _daemonLog.ToString();
            }
        }
    }

    /// <summary>The daemon's exit code if it has exited, else null.</summary>
    public int? DaemonExitCode => _daemon is { HasExited: true } d ? d.ExitCode : null;

    public static string Executable => Path.Combine(AppContext.BaseDirectory, "coordinator");

    public static string? Unavailable => StackEnvironment.Unavailable;

    private AmazonDynamoDBClient Dynamo => _dynamo ??= new AmazonDynamoDBClient(
        new BasicAWSCredentials(Environment["AWS_ACCESS_KEY_ID"] ?? "test", Environment["AWS_SECRET_ACCESS_KEY"] ?? "test"),
        new AmazonDynamoDBConfig { ServiceURL = Environment["AWS_ENDPOINT_URL"], AuthenticationRegion = "us-east-1" });

    public async Task StartAsync()
    {
        Directory.CreateDirectory(Settings["COORDINATOR__SLURM__LOGDIRECTORY"]!);
        (await RunAsync(Executable, "init")).EnsureSuccess("coordinator init");
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("daemon");
        foreach (var (name, value) in Settings)
        {
            start.Environment[name] = value;
        }
        _daemon = Process.Start(start)!;
        _daemon.OutputDataReceived += (_, e) => Append(e.Data);
        _daemon.ErrorDataReceived += (_, e) => Append(e.Data);
        _daemon.BeginOutputReadLine();
        _daemon.BeginErrorReadLine();
    }

    private void Append(string? line)
    {
        lock (_daemonLog)
        {
            _daemonLog.AppendLine(line);
        }
    }

    public Task<ProcessResult> RunAsync(string program, params string[] arguments) =>
        ProcessRunner.RunAsync(program, arguments, Settings, TimeSpan.FromMinutes(2));

    public Task<ProcessResult> AwsAsync(params string[] arguments) => RunAsync("aws", arguments);

    /// <summary>Uploads every file under <paramref name="directory"/> to the bucket, keys relative to it (one `aws s3 cp --recursive`).</summary>
    public async Task UploadTreeAsync(string directory) =>
        (await AwsAsync("s3", "cp", "--recursive", "--no-progress", "--only-show-errors", directory, $"s3://{Bucket}/")).EnsureSuccess("aws s3 cp --recursive");

    /// <summary>`aws s3 cp` of one local file to s3://bucket/key.</summary>
    public async Task UploadFileAsync(string file, string key) =>
        (await AwsAsync("s3", "cp", "--no-progress", "--only-show-errors", file, $"s3://{Bucket}/{key}")).EnsureSuccess("aws s3 cp");

    /// <summary>`aws dynamodb put-item --item file://job.json`, exactly as the README tells users.</summary>
    public async Task PutItemAsync(JsonObject item)
    {
        Remember(item);
        var file = Path.Combine(Work, $"job-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, item.ToJsonString());
        (await AwsAsync("dynamodb", "put-item", "--table-name", JobsTable, "--item", $"file://{file}")).EnsureSuccess("aws dynamodb put-item");
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
        if (_daemon is null || _daemon.HasExited)
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

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_daemon is { HasExited: false })
        {
            _daemon.Kill(entireProcessTree: true);
            await _daemon.WaitForExitAsync();
        }
        _daemon?.Dispose();
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
        foreach (var table in new[] { "COORDINATOR__JOBSTABLE", "COORDINATOR__TASKSTABLE", "COORDINATOR__LEASESTABLE" })
        {
            await AwsAsync("dynamodb", "delete-table", "--table-name", Settings[table]!);
        }
        await AwsAsync("s3", "rb", "--force", $"s3://{Bucket}");
        _dynamo?.Dispose();
        Directory.Delete(Work, recursive: true);
    }
}
