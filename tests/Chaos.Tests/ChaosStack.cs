using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Coordinator.Testing.Items;
using Coordinator.Testing.Processes;
using Coordinator.Testing.Stack;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// The product as operators run it (`coordinator init`, `coordinator daemon` processes, workers on real Slurm, moto),
/// with uniquely named tables and bucket, plus what chaos needs: daemons that can be killed and restarted, a logging
/// sbatch wrapper first on the daemons' PATH, every daemon's output in one log file, and SDK clients straight to moto
/// (never through a fault proxy) for the test's own checks. Disposing kills every daemon, cancels this stack's Slurm
/// jobs and deletes its tables and bucket.
/// </summary>
internal sealed class ChaosStack : IAsyncDisposable
{
    private readonly List<DaemonHandle> _daemons = [];

    public ChaosStack(string prefix)
    {
        Prefix = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        Work = Directory.CreateTempSubdirectory("coord-chaos-").FullName;
        var env = StackEnvironment.Load().Variables;
        Endpoint = env["AWS_ENDPOINT_URL"]!;
        var bin = SbatchLog.InstallWrapper(Path.Combine(Work, "bin"));
        SlurmControlLog.InstallWrappers(bin);
        Settings = new Dictionary<string, string?>(env)
        {
            ["COORDINATOR__JOBSTABLE"] = $"{Prefix}-jobs",
            ["COORDINATOR__TASKSTABLE"] = $"{Prefix}-tasks",
            ["COORDINATOR__LEASESTABLE"] = $"{Prefix}-leases",
            ["COORDINATOR__BUCKET"] = Prefix,
            ["COORDINATOR__SLURM__WORKEREXECUTABLE"] = Executable,
            ["COORDINATOR__SLURM__LOGDIRECTORY"] = Path.Combine(Work, "slurm-logs"),
            ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}",
            ["CHAOS_SBATCH_LOG"] = SbatchLogFile,
            ["CHAOS_SLURM_CONTROL_LOG"] = SlurmControlLogFile,
            ["AWS_PAGER"] = "",
        };
        Directory.CreateDirectory(Settings["COORDINATOR__SLURM__LOGDIRECTORY"]!);
        var credentials = new BasicAWSCredentials(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]);
        Dynamo = new AmazonDynamoDBClient(credentials, new AmazonDynamoDBConfig { ServiceURL = Endpoint, AuthenticationRegion = "us-east-1" });
        S3 = new AmazonS3Client(credentials, new AmazonS3Config { ServiceURL = Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
    }

    /// <summary>Job names of this stack start with it; Slurm job names too, so cleanup finds them.</summary>
    public string Prefix { get; }
    public string Work { get; }
    public string Endpoint { get; }
    public Dictionary<string, string?> Settings { get; }
    public IAmazonDynamoDB Dynamo { get; }
    public IAmazonS3 S3 { get; }
    public string Bucket => Settings["COORDINATOR__BUCKET"]!;
    public string JobsTable => Settings["COORDINATOR__JOBSTABLE"]!;
    public string TasksTable => Settings["COORDINATOR__TASKSTABLE"]!;
    public string SbatchLogFile => Path.Combine(Work, "sbatch.log");
    public string DaemonLogFile => Path.Combine(Work, "daemons.log");
    public string SlurmControlLogFile => Path.Combine(Work, "slurm-control.log");
    public string SlurmLogDirectory => Settings["COORDINATOR__SLURM__LOGDIRECTORY"]!;
    public IReadOnlyList<DaemonHandle> Daemons => _daemons;

    public static string Executable => CoordinatorStack.Executable;

    /// <summary>Null when moto and Slurm answer, else why these tests cannot run.</summary>
    public static string? Unavailable => StackEnvironment.Unavailable;

    public string JobName(string what) => $"{Prefix}-{what}";

    public async Task InitAsync()
    {
        var init = await ProcessRunner.RunAsync(Executable, ["init"], Settings, TimeSpan.FromMinutes(2));
        init.EnsureSuccess("coordinator init");
    }

    /// <summary>
    /// Starts a daemon with the stack's settings plus <paramref name="extra"/> (e.g. AWS_ENDPOINT_URL of a fault proxy,
    /// a lease identity). Each daemon scrapes metrics on a port of its own.
    /// </summary>
    public DaemonHandle StartDaemon(string name, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var environment = new Dictionary<string, string?>(Settings)
        {
            ["COORDINATOR_DAEMON__TELEMETRY__PROMETHEUSENDPOINT"] = $"http://127.0.0.1:{CoordinatorStack.FreePort()}/",
            ["CHAOS_DAEMON"] = name, // the sbatch/scancel/scontrol wrappers log it
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }
        var daemon = DaemonHandle.Start(name, Executable, ["daemon"], environment, DaemonLogFile, killEntireTree: false);
        _daemons.Add(daemon);
        return daemon;
    }

    public async Task PutObjectAsync(string key, string content) =>
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = content });

    public async Task PutJobAsync(string itemJson) =>
        await Dynamo.PutItemAsync(new PutItemRequest { TableName = JobsTable, Item = DynamoJson.ToItem(itemJson) });

    /// <summary>The job's status map (consistent read), or null before the daemon wrote one.</summary>
    public async Task<Dictionary<string, AttributeValue>?> StatusAsync(string job)
    {
        var item = await Dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = JobsTable,
            Key = new() { ["name"] = new AttributeValue { S = job } },
            ConsistentRead = true,
        });
        return item.Item is { } found && found.TryGetValue("status", out var status) ? status.M : null;
    }

    /// <summary>The job's task items as stored: one strongly consistent Query (these tests' jobs fit in one page).</summary>
    public async Task<List<Dictionary<string, AttributeValue>>> TaskItemsAsync(string job) =>
        (await Dynamo.QueryAsync(new QueryRequest
        {
            TableName = TasksTable,
            KeyConditionExpression = "#j = :j",
            ExpressionAttributeNames = new() { ["#j"] = "job" },
            ExpressionAttributeValues = new() { [":j"] = new AttributeValue { S = job } },
            ConsistentRead = true,
        })).Items ?? [];

    public static string Phase(Dictionary<string, AttributeValue>? status) =>
        status is not null && status.TryGetValue("phase", out var p) ? p.S ?? "" : "";

    public static string Text(Dictionary<string, AttributeValue> map, string name) =>
        map.TryGetValue(name, out var v) ? v.S ?? v.N ?? "" : "";

    public static long Count(Dictionary<string, AttributeValue> status, string group, string name) =>
        status.TryGetValue(group, out var g) && g.M is { } m && m.TryGetValue(name, out var v) && v.N is { } n
            ? long.Parse(n, CultureInfo.InvariantCulture)
            : 0;

    /// <summary>
    /// Polls until every job is in one of <paramref name="phases"/>, calling <paramref name="meanwhile"/> between polls
    /// (the chaos schedule). Returns each job's final status.
    /// </summary>
    public async Task<Dictionary<string, Dictionary<string, AttributeValue>>> WaitForAllAsync(
        IReadOnlyCollection<string> jobs, TimeSpan limit, string[] phases, Func<Task>? meanwhile = null)
    {
        var deadline = DateTime.UtcNow + limit;
        var done = new Dictionary<string, Dictionary<string, AttributeValue>>();
        while (true)
        {
            foreach (var job in jobs.Where(j => !done.ContainsKey(j)))
            {
                var status = await StatusAsync(job);
                if (phases.Contains(Phase(status)))
                {
                    done[job] = status!;
                }
            }
            if (done.Count == jobs.Count)
            {
                return done;
            }
            if (DateTime.UtcNow > deadline)
            {
                var pending = new List<string>();
                foreach (var job in jobs.Where(j => !done.ContainsKey(j)))
                {
                    pending.Add($"{job}: {Describe(await StatusAsync(job))}");
                }
                throw new TimeoutException($"{pending.Count} of {jobs.Count} jobs not in {string.Join('/', phases)} after {limit}:\n"
                    + string.Join('\n', pending) + "\nlast daemon lines:\n" + (_daemons.LastOrDefault()?.Tail() ?? ""));
            }
            if (meanwhile is not null)
            {
                await meanwhile();
            }
            else
            {
                await Task.Delay(500);
            }
        }
    }

    public static string Describe(Dictionary<string, AttributeValue>? status) => status is null
        ? "(no status)"
        : string.Join(", ", status.Where(p => p.Value.S is not null || p.Value.N is not null).Select(p => $"{p.Key}={p.Value.S ?? p.Value.N}"));

    /// <summary>The text of an s3:// object, read straight from moto.</summary>
    public async Task<string> ReadAsync(string uri)
    {
        var path = new Uri(uri);
        using var response = await S3.GetObjectAsync(path.Host, path.AbsolutePath.TrimStart('/'));
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync();
    }

    public IReadOnlyList<SbatchLog.Call> SbatchCalls() => SbatchLog.Read(SbatchLogFile);

    public IReadOnlyList<SlurmControlLog.Call> SlurmControlCalls() => SlurmControlLog.Read(SlurmControlLogFile);

    /// <summary>Everything any daemon, sbatch and every Slurm task (worker + handler stderr) printed.</summary>
    public string AllLogs()
    {
        var parts = new List<string>();
        foreach (var file in new[] { DaemonLogFile, SbatchLogFile, SlurmControlLogFile }.Concat(Directory.GetFiles(SlurmLogDirectory)))
        {
            if (File.Exists(file))
            {
                parts.Add($"== {file}\n{File.ReadAllText(file)}");
            }
        }
        return string.Join('\n', parts);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var daemon in _daemons)
        {
            daemon.Dispose();
        }
        await ProcessRunner.RunAsync("bash", ["-c", $"for j in $(squeue -h -o '%A %j' | awk '$2 ~ /^{Prefix}/ {{print $1}}'); do scancel $j; done"],
            Settings, TimeSpan.FromSeconds(30));
        foreach (var table in new[] { JobsTable, TasksTable, Settings["COORDINATOR__LEASESTABLE"]! })
        {
            try
            {
                await Dynamo.DeleteTableAsync(table);
            }
            catch (ResourceNotFoundException)
            {
                // Never created (the test failed before init).
            }
        }
        try
        {
            for (var page = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket });
                 page.S3Objects is { Count: > 0 };
                 page = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket }))
            {
                await S3.DeleteObjectsAsync(new DeleteObjectsRequest
                {
                    BucketName = Bucket,
                    Objects = page.S3Objects.Select(o => new KeyVersion { Key = o.Key }).ToList(),
                });
            }
            await S3.DeleteBucketAsync(Bucket);
        }
        catch (AmazonS3Exception)
        {
            // No bucket: init never ran.
        }
        Dynamo.Dispose();
        S3.Dispose();
        if (Environment.GetEnvironmentVariable("CHAOS_KEEP") is null && Directory.Exists(Work))
        {
            Directory.Delete(Work, recursive: true);
        }
    }
}
