using System.CommandLine;
using Amazon.DynamoDBv2;
using Coordinator.Aws;
using Coordinator.Aws.DynamoDb;
using Coordinator.Aws.S3;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Coordinator.Data.Storage;
using Coordinator.Scheduling.Commands;
using Coordinator.Scheduling.Slurm;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// What a verb that talks to the stack gets: validated options, the jobs/tasks state store, the object store and
/// (built on first use) the Slurm scheduler, plus the console writers. <see cref="CliVerbRunner"/> creates one per run.
/// </summary>
public sealed class CliSession : IDisposable
{
    private readonly CoordinatorMetrics _metrics = new();
    private readonly Lazy<IAmazonDynamoDB> _dynamoDb;
    private readonly Lazy<IObjectStore> _objects;

    public CliSession(ParseResult parseResult, CoordinatorOptions options)
    {
        ParseResult = parseResult;
        Options = options;
        Aws = new AwsClientFactory(options);
        _dynamoDb = new Lazy<IAmazonDynamoDB>(Aws.CreateDynamoDb);
        _objects = new Lazy<IObjectStore>(() => ObjectStoreRouter.Create(Aws));
        State = new DynamoStateStore(_dynamoDb.Value, options, _metrics);
    }

    public ParseResult ParseResult { get; }
    public CoordinatorOptions Options { get; }
    public AwsClientFactory Aws { get; }
    public DynamoStateStore State { get; }
    public IObjectStore Objects => _objects.Value;
    public TextWriter Output => ParseResult.InvocationConfiguration.Output;
    public TextWriter Error => ParseResult.InvocationConfiguration.Error;

    /// <summary>Slurm through its commands, one attempt per call: a CLI user would rather see the error than wait.</summary>
    public static IScheduler CreateScheduler() =>
        new SlurmScheduler(new ProcessCommandRunner(), NullLogger<SlurmScheduler>.Instance, maxRetryAttempts: 1);

    public JobControl CreateJobControl() => new(State, CreateScheduler(), State.RequestReconcileAsync);

    public void Dispose()
    {
        if (_dynamoDb.IsValueCreated)
        {
            _dynamoDb.Value.Dispose();
        }
        _metrics.Dispose();
    }
}
