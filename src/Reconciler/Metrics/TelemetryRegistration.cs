using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Coordinator.Reconciler.Metrics;

/// <summary>Wires the "Coordinator" meter to OpenTelemetry: a loopback Prometheus endpoint and, if configured, OTLP.</summary>
public static class TelemetryRegistration
{
    /// <summary>
    /// Binds section "Daemon:Telemetry" (validated at start by <see cref="TelemetryOptionsValidator"/>), registers the
    /// exported <see cref="CoordinatorMetrics"/> and wires the exporters.
    /// </summary>
    public static IServiceCollection AddCoordinatorTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(TelemetryOptions.SectionName);
        services.AddOptions<TelemetryOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        var options = section.Get<TelemetryOptions>() ?? new TelemetryOptions();
        // A bad endpoint wires no exporter; ValidateOnStart reports it before anything runs.
        var valid = TelemetryOptionsValidator.Validate(options).Count == 0;
        services.AddSingleton(sp =>
        {
            // Build the MeterProvider first: it listens for the "Coordinator" meter's instruments as they are created,
            // so the zeros below reach the exporter (the host would otherwise build it after the hosted services).
            _ = sp.GetService<MeterProvider>();
            var metrics = new CoordinatorMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>());
            if (sp.GetService<CoordinatorOptions>() is { } coordinator)
            {
                metrics.InitializeKnownSeries([coordinator.JobsTable, coordinator.TasksTable, coordinator.LeasesTable]);
            }
            return metrics;
        });
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("coordinator"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(CoordinatorMetrics.MeterName);
                // .NET's own runtime meter: GC heap and committed sizes, working set, thread pool, so a memory question
                // can be told apart into managed and native from the dashboard.
                metrics.AddMeter("System.Runtime");
                if (valid && options.PrometheusEndpoint is { Length: > 0 } prometheus)
                {
                    var endpoint = new Uri(prometheus);
                    metrics.AddPrometheusHttpListener(listener =>
                    {
                        listener.Host = endpoint.Host;
                        listener.Port = endpoint.Port;
                    });
                }
                if (valid && OtlpSettings.Resolve(options, name => configuration[name]) is { Enabled: true } otlp)
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        if (otlp.Endpoint is { } endpoint)
                        {
                            exporter.Endpoint = endpoint;
                        }
                        if (otlp.Protocol is { } protocol)
                        {
                            exporter.Protocol = protocol;
                        }
                        if (otlp.ExportInterval is { } interval)
                        {
                            reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)interval.TotalMilliseconds;
                        }
                    });
                }
            });
        return services;
    }
}
