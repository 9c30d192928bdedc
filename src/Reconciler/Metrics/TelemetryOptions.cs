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

    /// <summary>
    /// OTLP collector endpoint (e.g. http://127.0.0.1:4317). Unset: OTLP is on when the standard
    /// OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_METRICS_ENDPOINT) is set, and off otherwise.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>
    /// "grpc" or "http/protobuf". Unset: OTEL_EXPORTER_OTLP_METRICS_PROTOCOL, OTEL_EXPORTER_OTLP_PROTOCOL, else the
    /// exporter's default (grpc). Never guessed from the port.
    /// </summary>
    public string? OtlpProtocol { get; set; }

    /// <summary>How often metrics are pushed over OTLP (default 10 s; OTEL_METRIC_EXPORT_INTERVAL, in ms, when this is not set).</summary>
    public TimeSpan? OtlpExportInterval { get; set; }

    /// <summary>The interval when neither this setting nor OTEL_METRIC_EXPORT_INTERVAL gives one.</summary>
    public static readonly TimeSpan DefaultOtlpExportInterval = TimeSpan.FromSeconds(10);
}
