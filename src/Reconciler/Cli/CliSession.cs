using System.CommandLine;
using Amazon.DynamoDBv2;
using Coordinator.Aws;
using Coordinator.Aws.DynamoDb;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Ports;
using Coordinator.Data.Storage;
using Coordinator.Reconciler.Configuration;
using Coordinator.Reconciler.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// What a verb that talks to the stack gets: validated options, the jobs/tasks state store, the object store and the
/// Slurm scheduler (each built on first use, from <see cref="CoordinatorServices.AddCoordinatorCore"/>: the same
/// registration the daemon and the worker use), plus the console writers. <see cref="CliVerbRunner"/> and the spec
/// verbs create one per run.
/// </summary>
public sealed class CliSession : IDisposable
{
    private readonly ServiceProvider _services;

    /// <summary>
    /// Loads and validates the verb's configuration (its <c>--Coordinator:…</c> overrides included); throws
    /// <see cref="CoordinatorConfigurationException"/> naming every bad setting.
    /// </summary>
    public CliSession(ParseResult parseResult)
    {
        ParseResult = parseResult;
        var configuration = CoordinatorConfiguration.Build(CoordinatorConfiguration.Overrides(parseResult));
        Options = CoordinatorConfiguration.LoadOptions(configuration);
        _services = CoordinatorServices.BuildProvider(configuration, CoordinatorProcess.Cli);
    }

    public ParseResult ParseResult { get; }
    public CoordinatorOptions Options { get; }
    public AwsClientFactory Aws => _services.GetRequiredService<AwsClientFactory>();
    public IAmazonDynamoDB DynamoDb => _services.GetRequiredService<IAmazonDynamoDB>();
    public DynamoStateStore State => _services.GetRequiredService<DynamoStateStore>();
    public IObjectStore Objects => _services.GetRequiredService<IObjectStore>();
    /// <summary>Slurm through its commands, one attempt per call: a CLI user would rather see the error than wait.</summary>
    public IScheduler Scheduler => _services.GetRequiredService<IScheduler>();
    public TextWriter Output => ParseResult.InvocationConfiguration.Output;
    public TextWriter Error => ParseResult.InvocationConfiguration.Error;

    public JobControl CreateJobControl() => new(State, Scheduler, State.RequestReconcileAsync);

    public void Dispose() => _services.Dispose();
}
