using Amazon.DynamoDBv2;
using Coordinator.Aws;
using Coordinator.Aws.DynamoDb;
using Coordinator.Aws.Streams;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Tasks;
using Coordinator.Reconciler.Feed;
using Coordinator.Reconciler.LeaderElection;
using Coordinator.Reconciler.Metrics;
using Coordinator.Reconciler.Queue;
using Coordinator.Reconciler.Reconcile;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coordinator.Reconciler.Hosting;

/// <summary>
/// Registers everything `coordinator daemon` runs, from one configuration: the exported metrics, then the pieces every
/// process shares (<see cref="CoordinatorServices.AddCoordinatorCore"/>), then the daemon's own feed, queue, leader
/// election, reconciler and controllers.
/// </summary>
public static class DaemonServices
{
    public static IServiceCollection AddCoordinatorDaemon(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCoordinatorTelemetry(configuration);
        // The lease guard goes in before the shared services, so the state store stamps and checks this daemon's term
        // and the scheduler is guarded (CoordinatorServices registers Unfenced only where nothing came first).
        services.AddSingleton(sp => new LeaseGuard(sp.GetRequiredService<LeaderElectionOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ILeadershipGuard>(sp => sp.GetRequiredService<LeaseGuard>());
        services.AddCoordinatorCore(configuration, CoordinatorProcess.Daemon);
        services.AddValidatedOptions<WorkQueueOptions>(configuration, WorkQueueOptions.SectionName);
        services.AddValidatedOptions<FeedOptions>(configuration, FeedOptions.SectionName);
        services.AddValidatedOptions<LeaderElectionOptions>(configuration, LeaderElectionOptions.SectionName);
        services.AddSingleton<IValidateOptions<LeaderElectionOptions>, LeaderElectionOptionsValidator>();

        services.AddSingleton(sp => new DynamoLeaseStore(sp.GetRequiredService<IAmazonDynamoDB>(),
            sp.GetRequiredService<CoordinatorOptions>(), sp.GetRequiredService<CoordinatorMetrics>()));
        services.AddSingleton<IDynamoDbStreams>(sp => new DynamoDbStreamsClient(sp.GetRequiredService<AwsClientFactory>()));
        services.AddSingleton(sp => new LeaderElector(sp.GetRequiredService<DynamoLeaseStore>(), sp.GetRequiredService<LeaderElectionOptions>(),
            sp.GetRequiredService<CoordinatorMetrics>(), sp.GetRequiredService<ILogger<LeaderElector>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<LeaseGuard>(), sp.GetRequiredService<DaemonLiveness>()));
        services.AddSingleton(sp => new DaemonLiveness(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new JobReconciler(sp.GetRequiredService<IStateStore>(), sp.GetServices<Controllers.Pipeline.IJobController>(),
            sp.GetRequiredService<CoordinatorOptions>(), sp.GetRequiredService<CoordinatorMetrics>(), sp.GetRequiredService<ILogger<JobReconciler>>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetService<IScheduler>(), sp.GetServices<Controllers.Pipeline.IJobMemory>()));
        services.AddSingleton<IReconciler>(sp => sp.GetRequiredService<JobReconciler>());
        services.AddSingleton(sp => new ChangeFeed(sp.GetRequiredService<IStateStore>(), sp.GetRequiredService<IDynamoDbStreams>(),
            sp.GetRequiredService<IAmazonDynamoDB>(), sp.GetRequiredService<CoordinatorOptions>(), sp.GetRequiredService<FeedOptions>(),
            sp.GetRequiredService<CoordinatorMetrics>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<TaskEventLog>(), sp.GetRequiredService<IShardCheckpoints>()));
        services.AddSingleton<IShardCheckpoints>(sp => new DynamoShardCheckpoints(sp.GetRequiredService<IAmazonDynamoDB>(),
            sp.GetRequiredService<CoordinatorOptions>(), sp.GetRequiredService<ILeadershipGuard>(), sp.GetRequiredService<CoordinatorMetrics>()));
        services.AddJobControllers();
        services.AddSingleton<DaemonService>();
        services.AddHostedService(sp => sp.GetRequiredService<DaemonService>());
        services.AddHostedService(sp => new SystemdWatchdog(sp.GetService<ISystemdNotifier>() ?? new SystemdNotifier(), sp.GetRequiredService<DaemonLiveness>(),
            sp.GetRequiredService<ILogger<SystemdWatchdog>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(IdleTrimPolicy.Default);
        services.AddSingleton<IdleTrimmer>();
        services.AddHostedService(sp => sp.GetRequiredService<IdleTrimmer>());
        return services;
    }

    private static void AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, string section) where T : class
    {
        services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
    }
}
