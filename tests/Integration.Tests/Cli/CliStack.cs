using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.DynamoDb;
using Coordinator.Controllers.Metrics;
using Coordinator.Integration.Tests.Fixtures;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;
using Coordinator.Testing.Processes;

namespace Coordinator.Integration.Tests.Cli;

/// <summary>
/// A <see cref="ProvisionedStack"/> on moto plus what the CLI tests need: the `coordinator` process pointed at its
/// tables and bucket (as --Coordinator:X settings, as an operator passes them), job YAML files in a temp directory,
/// and the daemon's side of the state (status, task items) written through the product's own store, where a test
/// needs a job that has "run" without waiting for Slurm.
/// </summary>
internal sealed class CliStack : IAsyncDisposable
{
    private readonly LocalStackFixture _fixture;
    private readonly CoordinatorMetrics _metrics = new();

    private CliStack(LocalStackFixture fixture, ProvisionedStack stack)
    {
        _fixture = fixture;
        Stack = stack;
        Work = Directory.CreateTempSubdirectory("coord-cli-").FullName;
        LogDirectory = Path.Combine(Work, "slurm-logs");
        Directory.CreateDirectory(LogDirectory);
        State = new DynamoStateStore(stack.DynamoDb, stack.Options, _metrics);
    }

    public ProvisionedStack Stack { get; }
    public DynamoStateStore State { get; }
    public string Work { get; }
    public string LogDirectory { get; }
    public string Bucket => Stack.Options.Bucket;

    public static async Task<CliStack> CreateAsync(LocalStackFixture fixture) => new(fixture, await fixture.ProvisionAsync());

    public string[] Settings =>
    [
        $"--Coordinator:JobsTable={Stack.Options.JobsTable}",
        $"--Coordinator:TasksTable={Stack.Options.TasksTable}",
        $"--Coordinator:LeasesTable={Stack.Options.LeasesTable}",
        $"--Coordinator:Bucket={Bucket}",
        $"--Coordinator:Slurm:LogDirectory={LogDirectory}",
    ];

    /// <summary>Runs `coordinator ARGS` with this stack's settings appended and moto as the AWS endpoint.</summary>
    public Task<ProcessResult> RunAsync(params string[] args) =>
        CoordinatorCli.RunAsync([.. args, .. Settings], new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL"] = _fixture.EndpointUrl,
            ["COLUMNS"] = null,
        });

    /// <summary>Writes a valid job YAML (input and output in this stack's bucket) and returns its path.</summary>
    public async Task<string> JobFileAsync(string name, string labels = "{team: nlp}", string extra = "")
    {
        var path = Path.Combine(Work, $"{name}.yaml");
        await File.WriteAllTextAsync(path, $$"""
            apiVersion: coordinator/v1
            kind: Job
            metadata:
              name: {{name}}
              labels: {{labels}}
            spec:
              input: {uri: "s3://{{Bucket}}/in/{{name}}/"}
              batching: {maxRecords: 10}
              handler: {command: [python3, handler.py]}
              output: {uri: "s3://{{Bucket}}/out/{{name}}/"}
            {{extra}}
            """);
        return path;
    }

    /// <summary>Submits the job with the CLI, then writes a Running status as the daemon would (conditional, version 0 → 1).</summary>
    public async Task<Job> SubmitRunningAsync(string name, string labels = "{team: nlp}")
    {
        (await RunAsync("submit", "-f", await JobFileAsync(name, labels))).EnsureSuccess();
        var job = await State.GetJobAsync(name, default) ?? throw new InvalidOperationException($"{name} was not stored");
        job.Generation = 1;
        job.Status = new JobStatus
        {
            Phase = JobPhase.Running,
            ObservedGeneration = 1,
            Batches = new BatchCounts { Total = 3, Succeeded = 1, Failed = 1, Running = 1 },
            StartedAt = DateTimeOffset.UtcNow.AddMinutes(-2),
            Message = "1 of 3 batches done",
        };
        job.Status.Conditions.Add(new Coordinator.Model.Status.Condition
        {
            Type = ConditionTypes.Stored, Status = "True", Reason = "BatchesStored", Message = "3 batches", LastTransitionTime = DateTimeOffset.UtcNow.AddMinutes(-2),
        });
        job.Version = await State.UpdateJobStatusAsync(job, default);
        return job;
    }

    /// <summary>Three task items as a worker leaves them: batch 0 succeeded, 1 failed with a stderr tail, 2 running.</summary>
    public async Task PutTasksAsync(string job, string slurmJobId)
    {
        var now = DateTimeOffset.UtcNow;
        JobTask Task(int index, TaskState state) => new()
        {
            Job = job, Generation = 1, Index = index, State = state, Attempt = 1, SlurmJobId = slurmJobId,
            SlurmArrayTaskId = index.ToString(System.Globalization.CultureInfo.InvariantCulture), Host = "node1",
            StartedAt = now.AddSeconds(-30), InputKey = $"s3://{Bucket}/jobs/{job}/1/batches/{index:D6}.jsonl", InputRecords = 10,
        };
        var ok = Task(0, TaskState.Succeeded);
        ok.FinishedAt = now.AddSeconds(-20);
        ok.ExitCode = 0;
        var failed = Task(1, TaskState.Failed);
        failed.Attempt = 3;
        failed.FinishedAt = now.AddSeconds(-10);
        failed.ExitCode = 3;
        failed.Reason = "HandlerExit";
        failed.StderrTail = "Traceback (most recent call last):\nValueError: record 17 has no text\n";
        await State.PutTasksAsync([ok, failed, Task(2, TaskState.Running)], default);
    }

    public async Task<Dictionary<string, AttributeValue>> GetItemAsync(string name) =>
        (await Stack.DynamoDb.GetItemAsync(new GetItemRequest
        {
            TableName = Stack.Options.JobsTable,
            Key = new Dictionary<string, AttributeValue> { ["name"] = new() { S = name } },
            ConsistentRead = true,
        })).Item ?? [];

    public async ValueTask DisposeAsync()
    {
        _metrics.Dispose();
        try
        {
            await Stack.DisposeAsync();
        }
        finally
        {
            Directory.Delete(Work, recursive: true);
        }
    }
}
