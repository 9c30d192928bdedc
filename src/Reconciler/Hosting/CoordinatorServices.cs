using Amazon.DynamoDBv2;
using Coordinator.Aws;
using Coordinator.Aws.DynamoDb;
using Coordinator.Aws.S3;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Coordinator.Data.Storage;
using Coordinator.Reconciler.Configuration;
using Coordinator.Scheduling.Commands;
using Coordinator.Scheduling.Local;
using Coordinator.Scheduling.Shared;
using Coordinator.Scheduling.Slurm;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Coordinator.Reconciler.Hosting;

/// <summary>Which process the shared services are for: they differ only in how patient the Slurm adapter is.</summary>
public enum CoordinatorProcess
{
    /// <summary>`coordinator daemon`: Slurm calls are retried (the outage backoff takes over after that).</summary>
    Daemon,
    /// <summary>A CLI verb: one attempt per Slurm call, a user would rather see the error than wait.</summary>
    Cli,
    /// <summary>`coordinator worker`: what a Slurm array task runs.</summary>
    Worker,
}

/// <summary>
/// The one composition root: what the daemon, the CLI verbs and the worker share, registered in one place. Options
/// (validated), the AWS client factory and DynamoDB client, the jobs/tasks state store, the object store
/// (file:// and s3:// behind <see cref="ObjectStoreRouter"/>), the Slurm scheduler, metrics and the clock. The daemon
/// adds its feed, queue and leader election on top (<see cref="DaemonServices"/>); the CLI session and the worker
/// build a <see cref="ServiceProvider"/> from this registration alone (<see cref="BuildProvider"/>).
/// <para>
/// Metrics: the daemon registers the exported <see cref="CoordinatorMetrics"/> before calling this; everywhere else
/// <see cref="CoordinatorMetrics.NoOp"/> fills the slot, so no type ever takes a null one.
/// </para>
/// </summary>
public static class CoordinatorServices
{
    /// <summary>Attempts per Slurm call in a CLI verb (the daemon and worker keep the adapter's default).</summary>
    public const int CliSlurmAttempts = 1;

    public static IServiceCollection AddCoordinatorCore(this IServiceCollection services, IConfiguration configuration, CoordinatorProcess process)
    {
        services.AddLogging();
        services.AddCoordinatorOptions(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => CoordinatorMetrics.NoOp());
        services.TryAddSingleton(sp => new AwsClientFactory(sp.GetRequiredService<CoordinatorOptions>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<AwsClientFactory>().CreateDynamoDb());
        // The daemon registers its lease guard first; the CLI and the worker act as users: no term, never refused.
        services.TryAddSingleton<ILeadershipGuard>(Unfenced.Instance);
        services.TryAddSingleton(sp => new DynamoStateStore(sp.GetRequiredService<IAmazonDynamoDB>(), sp.GetRequiredService<CoordinatorOptions>(),
            sp.GetRequiredService<CoordinatorMetrics>(), sp.GetRequiredService<ILogger<DynamoStateStore>>(), sp.GetRequiredService<ILeadershipGuard>()));
        services.TryAddSingleton<IStateStore>(sp => sp.GetRequiredService<DynamoStateStore>());
        // file:// confined to Coordinator:FileRoots and the data root, checked at every access (FileRoots).
        services.TryAddSingleton<IObjectStore>(sp => ObjectStoreRouter.Create(sp.GetRequiredService<AwsClientFactory>(),
            fileRoots: sp.GetRequiredService<CoordinatorOptions>().FileRootsInForce()));
        services.TryAddSingleton<ICommandRunner, ProcessCommandRunner>();
        // Coordinator:Scheduler = local: the worker argv as child processes of this process (LocalScheduler, which the
        // container disposes, killing them). Otherwise Slurm: scoped to this deployment and user (SlurmScheduler), one
        // shared squeue per pass over it (SharedQueueScheduler). Outermost the leadership guard, so a refused call
        // never reaches the scheduler.
        services.TryAddSingleton(_ => new LocalScheduler());
        services.TryAddSingleton<IScheduler>(sp => Guarded(sp.GetRequiredService<CoordinatorOptions>().UsesLocalScheduler
            ? sp.GetRequiredService<LocalScheduler>()
            : new SharedQueueScheduler(
                new SlurmScheduler(sp.GetRequiredService<ICommandRunner>(), sp.GetRequiredService<ILogger<SlurmScheduler>>(), sp.GetRequiredService<CoordinatorMetrics>(),
                    sp.GetRequiredService<CoordinatorOptions>().DeploymentId,
                    maxRetryAttempts: process == CoordinatorProcess.Cli ? CliSlurmAttempts : SlurmScheduler.DefaultMaxRetryAttempts),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<CoordinatorOptions>().Slurm.ListingMaxAge),
            sp.GetRequiredService<ILeadershipGuard>()));
        // Slurm's accounting (sacct), read for tasks that left squeue without an outcome; none for the local scheduler.
        services.TryAddSingleton<ISchedulerAccounting>(sp => sp.GetRequiredService<CoordinatorOptions>().UsesLocalScheduler
            ? NoSchedulerAccounting.Instance
            : new SacctAccounting(sp.GetRequiredService<ICommandRunner>(), sp.GetRequiredService<CoordinatorMetrics>(),
                sp.GetRequiredService<CoordinatorOptions>().DeploymentId, sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// The scheduler behind the leadership guard: in the daemon every sbatch, scancel and scontrol asks the lease guard
    /// first (<see cref="GuardedScheduler"/>); a process without a lease (<see cref="Unfenced"/>) gets the scheduler itself.
    /// </summary>
    public static IScheduler Guarded(IScheduler scheduler, ILeadershipGuard guard) =>
        guard is Unfenced ? scheduler : new GuardedScheduler(scheduler, guard);

    /// <summary>
    /// A provider over <see cref="AddCoordinatorCore"/> alone, for the CLI and the worker (the daemon's host builds
    /// its own). <paramref name="logging"/> adds the process's log output (none: the CLI's console is its output).
    /// Validate the options first with <see cref="CoordinatorConfiguration.Load"/>, which names every bad setting.
    /// </summary>
    public static ServiceProvider BuildProvider(IConfiguration configuration, CoordinatorProcess process, Action<ILoggingBuilder>? logging = null)
    {
        var services = new ServiceCollection();
        if (logging is not null)
        {
            services.AddLogging(logging);
        }
        services.AddCoordinatorCore(configuration, process);
        return services.BuildServiceProvider();
    }
}
