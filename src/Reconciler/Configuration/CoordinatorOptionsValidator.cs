using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.RegularExpressions;
using Coordinator.Controllers.Configuration;
using Microsoft.Extensions.Options;

namespace Coordinator.Reconciler.Configuration;

/// <summary>
/// Validates <see cref="CoordinatorOptions"/>: the DataAnnotations declared on the options (recursively, including
/// Slurm) plus rules that cross settings or need parsing. Each error names the setting by its configuration path and
/// shows the value, e.g. <c>Coordinator:Bucket: must match ^[a-z0-9]...; got "Bad_Bucket"</c>.
/// The CLI (through <see cref="CoordinatorConfiguration.LoadOptions(Microsoft.Extensions.Configuration.IConfiguration)"/>) and the daemon (through ValidateOnStart) share it.
/// </summary>
public sealed partial class CoordinatorOptionsValidator : IValidateOptions<CoordinatorOptions>
{
    public ValidateOptionsResult Validate(string? name, CoordinatorOptions options)
    {
        var errors = Validate(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static IReadOnlyList<string> Validate(CoordinatorOptions options)
    {
        var errors = new List<string>();
        ValidateAnnotations(options, CoordinatorOptions.SectionName, errors);
        ValidateAnnotations(options.Slurm, CoordinatorOptions.SectionName + ":Slurm", errors);
        ValidateAnnotations(options.Heartbeat, CoordinatorOptions.SectionName + ":Heartbeat", errors);
        ValidateAnnotations(options.Dispatch, CoordinatorOptions.SectionName + ":Dispatch", errors);
        ValidateAnnotations(options.DynamoDb, CoordinatorOptions.SectionName + ":DynamoDb", errors);
        if (options.DynamoDb.MaxDelay < options.DynamoDb.BaseDelay)
        {
            errors.Add($"Coordinator:DynamoDb:MaxDelay: must be at least BaseDelay ({options.DynamoDb.BaseDelay}); got \"{options.DynamoDb.MaxDelay}\"");
        }

        if (!SchedulerKinds.All.Contains(options.Scheduler ?? "", StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"Coordinator:Scheduler: must be {string.Join(" or ", SchedulerKinds.All)}; got {Show(options.Scheduler)}");
        }
        if (options.EndpointUrl is { Length: > 0 } endpoint
            && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            errors.Add($"Coordinator:EndpointUrl: must be an absolute http:// or https:// URL; got \"{endpoint}\"");
        }
        if (options.Profile is { } profile && (profile.Length == 0 || profile.Length > 128 || profile.Any(c => char.IsWhiteSpace(c) || c is '[' or ']')))
        {
            errors.Add($"Coordinator:Profile: must be an AWS profile name (no spaces or brackets, at most 128 characters); got \"{profile}\"");
        }
        if (options.Region is { Length: > 0 } region && !RegionPattern().IsMatch(region))
        {
            errors.Add($"Coordinator:Region: must be an AWS region name such as us-east-1; got \"{region}\"");
        }
        if (options.DataRoot is { Length: > 0 } root
            && !root.StartsWith("s3://", StringComparison.Ordinal) && !root.StartsWith("file:///", StringComparison.Ordinal))
        {
            errors.Add($"Coordinator:DataRoot: must start with s3:// or file:///; got \"{root}\"");
        }
        foreach (var fileRoot in options.FileRoots ?? [])
        {
            if (!Path.IsPathRooted(fileRoot) && !fileRoot.StartsWith("file:///", StringComparison.Ordinal))
            {
                errors.Add($"Coordinator:FileRoots: every entry must be an absolute directory such as /srv/data; got \"{fileRoot}\"");
            }
        }
        var tables = new[] { ("JobsTable", options.JobsTable), ("TasksTable", options.TasksTable), ("LeasesTable", options.LeasesTable) };
        foreach (var group in tables.GroupBy(t => t.Item2, StringComparer.Ordinal).Where(g => g.Count() > 1 && g.Key is not null))
        {
            errors.Add($"Coordinator:{string.Join("/", group.Select(t => t.Item1))}: must be different tables; all are \"{group.Key}\"");
        }
        if (options.Slurm.LogDirectory is { Length: > 0 } logs && !Path.IsPathRooted(logs))
        {
            errors.Add($"Coordinator:Slurm:LogDirectory: must be an absolute path visible to the head node; got \"{logs}\"");
        }
        if (options.Slurm.WorkerExecutable is { Length: > 0 } worker && !Path.IsPathRooted(worker))
        {
            errors.Add($"Coordinator:Slurm:WorkerExecutable: must be an absolute path; got \"{worker}\"");
        }
        foreach (var (variable, value) in options.Slurm.WorkerEnvironment)
        {
            if (!EnvironmentName().IsMatch(variable))
            {
                errors.Add($"Coordinator:Slurm:WorkerEnvironment:{variable}: must be a plain environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
            }
            else if (value.Contains('\0', StringComparison.Ordinal))
            {
                errors.Add($"Coordinator:Slurm:WorkerEnvironment:{variable}: contains a NUL character, which no environment value can hold");
            }
        }
        return errors;
    }

    /// <summary>
    /// The DataAnnotations of <paramref name="target"/>'s own properties, each error named by its configuration path
    /// under <paramref name="path"/>: what every options class of the "Coordinator" section is checked with.
    /// </summary>
    public static void ValidateAnnotations(object target, string path, List<string> errors)
    {
        foreach (var property in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var value = property.GetValue(target);
            foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>())
            {
                if (!attribute.IsValid(value))
                {
                    errors.Add($"{path}:{property.Name}: {Rule(attribute)}; got {Show(value)}");
                }
            }
        }
    }

    private static string Rule(ValidationAttribute attribute) => attribute switch
    {
        RequiredAttribute => "is required",
        RegularExpressionAttribute regex => "must match " + regex.Pattern,
        RangeAttribute range => $"must be between {range.Minimum} and {range.Maximum}",
        StringLengthAttribute length => $"must be {length.MinimumLength} to {length.MaximumLength} characters",
        _ => attribute.FormatErrorMessage("value"),
    };

    private static string Show(object? value) => value is null ? "nothing" : $"\"{value}\"";

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentName();
}
