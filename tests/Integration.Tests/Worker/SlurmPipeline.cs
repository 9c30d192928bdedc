using System.Security.Cryptography;
using System.Text;
using Amazon.S3.Model;
using Coordinator.Aws.DynamoDb;
using Coordinator.Aws.S3;
using Coordinator.Controllers;
using Coordinator.Controllers.Cleanup;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Tasks;
using Coordinator.Data.Layout;
using Coordinator.Data.Storage;
using Coordinator.Integration.Tests.Fixtures;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;
using Coordinator.Scheduling.Commands;
using Coordinator.Scheduling.Slurm;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Integration.Tests.Worker;

/// <summary>
/// Drives the dispatch, status and aggregate controllers by hand — as the daemon's reconciler would — against the real
/// stack: DynamoDB and S3 on moto, the real single-node Slurm, and the built `coordinator worker` executable run by
/// Slurm. Batches and task items are seeded as the store controller leaves them.
/// </summary>
internal sealed class SlurmPipeline : IAsyncDisposable
{
    private readonly ProvisionedStack _stack;
    private readonly CoordinatorMetrics _metrics = new();

    private SlurmPipeline(ProvisionedStack stack, string logs)
    {
        _stack = stack;
        Options = stack.Options;
        Options.Slurm.WorkerExecutable = CoordinatorCli.ExecutablePath;
        Options.Slurm.LogDirectory = logs;
        State = new DynamoStateStore(stack.DynamoDb, Options, _metrics);
        Store = new ObjectStoreRouter(new FileObjectStore(), new Lazy<IObjectStore>(() => new S3ObjectStore(stack.S3)));
        Scheduler = new SlurmScheduler(new ProcessCommandRunner(), NullLogger<SlurmScheduler>.Instance, CoordinatorMetrics.NoOp(), "test");
        Tallies = new TaskTallySource(State, Scheduler, Options);
    }

    public CoordinatorOptions Options { get; }
    public DynamoStateStore State { get; }
    public ObjectStoreRouter Store { get; }
    public SlurmScheduler Scheduler { get; }
    public TaskTallySource Tallies { get; }
    public Amazon.S3.IAmazonS3 S3 => _stack.S3;
    public string LogDirectory => Options.Slurm.LogDirectory;

    public static async Task<SlurmPipeline> CreateAsync(LocalStackFixture aws)
    {
        var logs = Directory.CreateTempSubdirectory("coord-it-logs-").FullName;
        return new SlurmPipeline(await aws.ProvisionAsync(), logs);
    }

    /// <summary>Stores <paramref name="batches"/> JSONL batches and their Pending tasks, and the job with Stored=True.</summary>
    public async Task<Job> SeedAsync(string name, int batches, int records, Action<JobSpec> configure)
    {
        var job = new Job { Name = name, Generation = 1 };
        job.Spec.Input.Uri = $"s3://{Options.Bucket}/in/{name}.jsonl";
        job.Spec.Output.Uri = $"s3://{Options.Bucket}/out/{name}/";
        job.Spec.Batching.MaxRecords = records;
        job.Spec.Slurm.TimeLimit = "00:10:00";
        configure(job.Spec);
        await State.PutJobSpecAsync(job, replace: false, default);
        var layout = new JobLayout(Options.DataRootUri, name, 1);
        var tasks = new List<JobTask>();
        for (var i = 0; i < batches; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, records).Select(r => $"{{\"n\":{i * records + r}}}\n")));
            var uri = layout.Batch(i, InputFormat.Jsonl);
            await using (var writer = await Store.OpenWriteAsync(uri, default))
            {
                await writer.Stream.WriteAsync(bytes);
                await writer.CommitAsync(default);
            }
            tasks.Add(new JobTask
            {
                Job = name, Generation = 1, Index = i, InputKey = uri.ToString(),
                InputSha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), InputRecords = records,
            });
        }
        await State.PutTasksAsync(tasks, default);
        var stored = (await State.GetJobAsync(name, default))!;
        stored.Generation = 1;
        stored.Status.Phase = JobPhase.Pending;
        StatusEditor.SetPhase(stored.Status, JobPhase.Partitioning);
        StatusEditor.SetCondition(stored.Status, ConditionTypes.Stored, StatusEditor.True, "Stored", $"{batches} tasks", 1, DateTimeOffset.UtcNow);
        stored.Status.Batches.Total = batches;
        stored.Version = await State.UpdateJobStatusAsync(stored, default);
        return stored;
    }

    /// <summary>Runs output probe → dispatch → status → aggregate passes until the job is finished or <paramref name="limit"/> passes.</summary>
    public async Task<Job> RunUntilFinishedAsync(string name, TimeSpan limit, Func<Job, Task>? eachPass = null)
    {
        var outage = new SlurmOutage(NullLogger<SlurmOutage>.Instance);
        IJobController[] controllers =
        [
            new OutputProbeController(Store, NullLogger<OutputProbeController>.Instance),
            new DispatchController(Scheduler, Tallies, Options, NullLogger<DispatchController>.Instance, outage),
            new StatusController(Scheduler, State, Tallies, new JobCleanup(State, Store, Options), NullLogger<StatusController>.Instance, outage, CoordinatorMetrics.NoOp(), Options),
            new AggregateController(State, Store, Tallies, NullLogger<AggregateController>.Instance, CoordinatorMetrics.NoOp(), Options),
        ];
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var job = (await State.GetJobAsync(name, default))!;
            if (PhaseTransitions.IsTerminal(job.Status.Phase) || DateTime.UtcNow > deadline)
            {
                return job;
            }
            if (eachPass is not null)
            {
                await eachPass(job);
                job = (await State.GetJobAsync(name, default))!;
            }
            var context = new JobContext(job, DateTimeOffset.UtcNow, State.UpdateJobStatusAsync);
            foreach (var controller in controllers)
            {
                var result = await controller.ReconcileAsync(context, default);
                if (!result.ContinuePipeline)
                {
                    break;
                }
            }
            await context.SaveStatusAsync(default);
            await Task.Delay(500);
        }
    }

    public async Task<string> ReadAsync(string uri)
    {
        var location = new Uri(uri);
        using var response = await S3.GetObjectAsync(new GetObjectRequest { BucketName = location.Host, Key = location.AbsolutePath.TrimStart('/') });
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync();
    }

    public async Task<JobTask> TaskAsync(string job, int index) => (await State.GetTaskAsync(job, index, default))!;

    public string Logs() => string.Join("\n", Directory.GetFiles(LogDirectory).Order().Take(6).Select(f => $"== {f}\n{File.ReadAllText(f)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var job in await Scheduler.ListAsync(null, default))
        {
            if (job.Name.StartsWith("it-", StringComparison.Ordinal))
            {
                await Scheduler.CancelAsync(job.JobId, default);
            }
        }
        await _stack.DisposeAsync();
        _metrics.Dispose();
        Directory.Delete(LogDirectory, recursive: true);
    }
}
