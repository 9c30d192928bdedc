namespace Coordinator.Reconciler.Metrics;

/// <summary>Where the daemon's metrics go, bound from "Daemon:Telemetry".</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Daemon:Telemetry";

    /// <summary>
    /// Prometheus scrape endpoint, host and port (default http://127.0.0.1:9464/, loopback only: put a proxy or an
    /// agent in front to expose it). Empty disables it. Metrics are served at /metrics.
    /// </summary>
    public string? PrometheusEndpoint { get; set; } = "http://127.0.0.1:9464/";

    /// <summary>OTLP collector endpoint (e.g. http://127.0.0.1:4317); empty (default) disables OTLP export.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>How often metrics are pushed over OTLP (default 10 s).</summary>
    public TimeSpan OtlpExportInterval { get; set; } = TimeSpan.FromSeconds(10);
}
