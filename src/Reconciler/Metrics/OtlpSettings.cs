using System.Globalization;
using OpenTelemetry.Exporter;

namespace Coordinator.Reconciler.Metrics;

/// <summary>
/// What the OTLP exporter is told beyond what it reads itself: the OpenTelemetry SDK reads the standard
/// OTEL_EXPORTER_OTLP_* variables (endpoint, protocol, headers, timeout, the METRICS_ forms) from the daemon's
/// configuration, where <c>DaemonCommand</c> puts them. The daemon's own settings (Daemon:Telemetry:Otlp*) win where
/// given; nothing is guessed (the old rule "port 4318 means HTTP" is gone).
/// </summary>
public sealed record OtlpSettings(bool Enabled, Uri? Endpoint, OtlpExportProtocol? Protocol, TimeSpan? ExportInterval)
{
    public static readonly string[] EndpointVariables = ["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"];
    public static readonly string[] ProtocolVariables = ["OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"];
    public const string IntervalVariable = "OTEL_METRIC_EXPORT_INTERVAL";

    /// <param name="options">Daemon:Telemetry, already validated.</param>
    /// <param name="variable">Reads a standard variable from the daemon's configuration (null when unset).</param>
    public static OtlpSettings Resolve(TelemetryOptions options, Func<string, string?> variable)
    {
        var configured = options.OtlpEndpoint is { Length: > 0 } endpoint ? new Uri(endpoint) : null;
        var enabled = configured is not null || EndpointVariables.Any(v => variable(v) is { Length: > 0 });
        // The daemon's protocol setting wins; else the exporter reads OTEL_EXPORTER_OTLP_(METRICS_)PROTOCOL itself.
        var protocol = options.OtlpProtocol is { } name ? ParseProtocol(name) : null;
        // The daemon's interval wins; else OTEL_METRIC_EXPORT_INTERVAL (the reader reads it); else 10 s.
        TimeSpan? interval = options.OtlpExportInterval
            ?? (int.TryParse(variable(IntervalVariable), NumberStyles.None, CultureInfo.InvariantCulture, out _) ? null : TelemetryOptions.DefaultOtlpExportInterval);
        return new OtlpSettings(enabled, configured, protocol, interval);
    }

    /// <summary>The OTLP protocol names of the specification; null for anything else.</summary>
    public static OtlpExportProtocol? ParseProtocol(string name) => name.Trim().ToLowerInvariant() switch
    {
        "grpc" => OtlpExportProtocol.Grpc,
        "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
        _ => null,
    };
}
