using Microsoft.Extensions.Options;

namespace Coordinator.Reconciler.Metrics;

/// <summary>Validates <see cref="TelemetryOptions"/> when the daemon starts, each error named by its configuration path.</summary>
public sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var errors = Validate(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static IReadOnlyList<string> Validate(TelemetryOptions options)
    {
        var errors = new List<string>();
        CheckEndpoint(nameof(TelemetryOptions.PrometheusEndpoint), options.PrometheusEndpoint, errors);
        CheckEndpoint(nameof(TelemetryOptions.OtlpEndpoint), options.OtlpEndpoint, errors);
        if (options.OtlpProtocol is { } protocol && OtlpSettings.ParseProtocol(protocol) is null)
        {
            errors.Add($"{TelemetryOptions.SectionName}:OtlpProtocol: must be \"grpc\" or \"http/protobuf\"; got \"{protocol}\"");
        }
        if (options.OtlpExportInterval is { } interval && (interval < TimeSpan.FromMilliseconds(100) || interval > TimeSpan.FromHours(1)))
        {
            errors.Add($"{TelemetryOptions.SectionName}:OtlpExportInterval: must be between 00:00:00.100 and 01:00:00; got \"{options.OtlpExportInterval}\"");
        }
        return errors;
    }

    private static void CheckEndpoint(string setting, string? value, List<string> errors)
    {
        if (value is { Length: > 0 } && !(Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            errors.Add($"{TelemetryOptions.SectionName}:{setting}: must be an absolute http:// or https:// URL, or empty to disable; got \"{value}\"");
        }
    }
}
