using Coordinator.Controllers.Configuration;
using Coordinator.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Coordinator.Reconciler.Configuration;

/// <summary>Registers <see cref="CoordinatorOptions"/> and <see cref="WorkerOptions"/>, validated when the host starts.</summary>
public static class CoordinatorServiceCollectionExtensions
{
    /// <summary>
    /// Binds section "Coordinator", validates DataAnnotations and <see cref="CoordinatorOptionsValidator"/>'s rules at start
    /// (ValidateOnStart), so a bad setting stops the daemon before it touches AWS or Slurm, and registers the bound
    /// <see cref="CoordinatorOptions"/> itself as a singleton for types that take it directly.
    /// </summary>
    public static IServiceCollection AddCoordinatorOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CoordinatorOptions>()
            .Bind(configuration.GetSection(CoordinatorOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CoordinatorOptions>, CoordinatorOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<CoordinatorOptions>>().Value);
        services.AddOptions<WorkerOptions>()
            .Bind(configuration.GetSection(WorkerOptionsValidator.Path))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<WorkerOptions>>().Value);
        return services;
    }
}
