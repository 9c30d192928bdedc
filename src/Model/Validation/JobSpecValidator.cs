using System.Globalization;
using System.Text.RegularExpressions;
using Coordinator.Model.Spec;
using Coordinator.Model.Units;
using D = Coordinator.Model.Spec.JobSpecDefaults;

namespace Coordinator.Model.Validation;

/// <summary>
/// Semantic checks on a typed spec: required fields, ranges and formats. Type and unknown-field errors are found
/// earlier, while binding; this runs on whatever bound, so a user gets every error in one pass. Errors carry
/// paths only; <see cref="Spec.Schema.SourceMap"/> adds the line and column when the spec came from YAML.
/// </summary>
public static partial class JobSpecValidator
{
    /// <summary>Checks a whole job: its name and labels (under <paramref name="namePath"/>'s parent) and its spec.</summary>
    public static IReadOnlyList<SpecError> Validate(Job job, string namePath = "metadata.name", string labelsPath = "metadata.labels")
    {
        var errors = new List<SpecError>();
        Check(errors, namePath, NameRules.Check(job.Name));
        foreach (var (key, value) in job.Labels)
        {
            if (!LabelKeyPattern().IsMatch(key))
            {
                Add(errors, $"{labelsPath}.{key}", "label keys must be 1-63 letters, digits, '.', '_', '-' or '/', starting and ending with a letter or digit");
            }
            if (value.Length > 63)
            {
                Add(errors, $"{labelsPath}.{key}", $"label values must be at most 63 characters, got {value.Length}");
            }
        }
        errors.AddRange(Validate(job.Spec));
        return errors;
    }

    public static IReadOnlyList<SpecError> Validate(JobSpec spec)
    {
        var e = new List<SpecError>();
        if (spec.Template is not null)
        {
            Check(e, "spec.template", NameRules.Check(spec.Template));
        }

        Check(e, "spec.input.uri", UriRules.Check(spec.Input.Uri));
        if (spec.Input.Format == InputFormat.Csv)
        {
            var d = spec.Input.Csv.Delimiter;
            if (d.Length != 1 || d is "\"" or "\n" or "\r")
            {
                Add(e, "spec.input.csv.delimiter", $"must be a single character other than a quote or newline, got \"{d}\"");
            }
        }

        if (spec.Handler.Mode == HandlerMode.Stdio && spec.Output.Format == InputFormat.Parquet && spec.Input.Format != InputFormat.Parquet)
        {
            Add(e, "spec.output.format", "parquet output from a stdio handler takes the input's Parquet schema, and the input is "
                + spec.Input.Format.ToString().ToLowerInvariant() + ": use output.format jsonl or csv, or handler.mode file and write the Parquet file yourself");
        }

        if (spec.Batching.MaxRecords is null && spec.Batching.MaxBytes is null)
        {
            Add(e, "spec.batching", "at least one of maxRecords or maxBytes is required");
        }
        if (spec.Batching.MaxRecords is < 1)
        {
            Add(e, "spec.batching.maxRecords", $"must be at least 1, got {spec.Batching.MaxRecords}");
        }
        if (spec.Batching.MaxBytes is < 1)
        {
            Add(e, "spec.batching.maxBytes", $"must be at least 1 byte, got {spec.Batching.MaxBytes}");
        }

        if (spec.Handler.Command.Count == 0)
        {
            Add(e, "spec.handler.command", "must not be empty: give the handler's argv, e.g. [python3, handler.py]");
        }
        for (var i = 0; i < spec.Handler.Command.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(spec.Handler.Command[i]))
            {
                Add(e, $"spec.handler.command[{i}]", "must not be empty");
            }
        }
        Positive(e, "spec.handler.timeout", spec.Handler.Timeout);
        foreach (var key in spec.Handler.Env.Keys.Where(k => !EnvNamePattern().IsMatch(k)))
        {
            Add(e, $"spec.handler.env.{key}", "is not a valid environment variable name (letters, digits and '_', not starting with a digit)");
        }

        for (var i = 0; i < spec.Handler.InheritEnv.Count; i++)
        {
            Check(e, $"spec.handler.inheritEnv[{i}]", EnvRules.CheckInherit(spec.Handler.InheritEnv[i]));
        }
        if (spec.Handler.WorkingDirectory is { } wd && (!wd.StartsWith('/') || wd.Split('/').Contains("..")))
        {
            Add(e, "spec.handler.workingDirectory", $"must be an absolute path without '..' (the node's directory the handler starts in), got \"{wd}\"");
        }

        Check(e, "spec.output.uri", UriRules.Check(spec.Output.Uri));

        Range(e, "spec.dispatch.workers", spec.Dispatch.Workers, 1, D.MaxPilotWorkers);
        if (spec.Dispatch.BatchesPerTask != DispatchSpec.AutoBatchesPerTask)
        {
            Range(e, "spec.dispatch.batchesPerTask", spec.Dispatch.BatchesPerTask, 1, D.MaxBatchesPerTask);
        }

        Range(e, "spec.slurm.cpusPerTask", spec.Slurm.CpusPerTask, 1, D.MaxCpusPerTask);
        Range(e, "spec.slurm.maxConcurrent", spec.Slurm.MaxConcurrent, 1, D.MaxConcurrentLimit);
        Optional(e, "spec.slurm.memory", spec.Slurm.Memory, SlurmRules.CheckMemory);
        Optional(e, "spec.slurm.timeLimit", spec.Slurm.TimeLimit, SlurmRules.CheckTimeLimit);
        Optional(e, "spec.slurm.partition", spec.Slurm.Partition, SlurmRules.CheckWord);
        Optional(e, "spec.slurm.gres", spec.Slurm.Gres, SlurmRules.CheckWord);
        Optional(e, "spec.slurm.account", spec.Slurm.Account, SlurmRules.CheckWord);
        Optional(e, "spec.slurm.qos", spec.Slurm.Qos, SlurmRules.CheckWord);

        Range(e, "spec.retry.maxAttempts", spec.Retry.MaxAttempts, 1, D.MaxAttemptsLimit);
        Range(e, "spec.retry.maxDisruptions", spec.Retry.MaxDisruptions, 0, D.MaxDisruptionsLimit);
        Positive(e, "spec.retry.backoff.base", spec.Retry.Backoff.Base);
        if (spec.Retry.Backoff.Max < spec.Retry.Backoff.Base)
        {
            Add(e, "spec.retry.backoff.max", $"must be at least backoff.base ({Duration.Format(spec.Retry.Backoff.Base)}), got {FormatDuration(spec.Retry.Backoff.Max)}");
        }
        for (var i = 0; i < spec.Retry.Rules.Count; i++)
        {
            var codes = spec.Retry.Rules[i].OnExitCodes;
            if (codes.Count == 0)
            {
                Add(e, $"spec.retry.rules[{i}].onExitCodes", "must list at least one exit code");
            }
            for (var j = 0; j < codes.Count; j++)
            {
                Range(e, $"spec.retry.rules[{i}].onExitCodes[{j}]", codes[j], 0, 255);
            }
        }

        var percent = spec.FailurePolicy.ToleratedFailurePercent;
        if (percent is < 0 or > 100 || double.IsNaN(percent))
        {
            Add(e, "spec.failurePolicy.toleratedFailurePercent", $"must be between 0 and 100, got {percent.ToString(CultureInfo.InvariantCulture)}");
        }
        if (spec.FailurePolicy.ToleratedFailureCount < 0)
        {
            Add(e, "spec.failurePolicy.toleratedFailureCount", $"must not be negative, got {spec.FailurePolicy.ToleratedFailureCount}");
        }

        if (spec.ActiveDeadline is { } deadline)
        {
            Positive(e, "spec.activeDeadline", deadline);
        }
        if (spec.TtlAfterFinished is { } ttl && ttl < TimeSpan.Zero)
        {
            Add(e, "spec.ttlAfterFinished", $"must not be negative, got {ttl}");
        }
        if (spec.RetryGeneration < 0)
        {
            Add(e, "spec.retryGeneration", $"must not be negative, got {spec.RetryGeneration}");
        }
        return e;
    }

    private static void Range(List<SpecError> e, string path, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            Add(e, path, $"must be between {min} and {max}, got {value}");
        }
    }

    private static void Positive(List<SpecError> e, string path, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            Add(e, path, $"must be greater than 0, got {FormatDuration(value)}");
        }
    }

    private static string FormatDuration(TimeSpan value) => value < TimeSpan.Zero ? value.ToString() : Duration.Format(value);

    private static void Optional(List<SpecError> e, string path, string? value, Func<string, string?> check)
    {
        if (value is not null)
        {
            Check(e, path, check(value));
        }
    }

    private static void Check(List<SpecError> e, string path, string? problem)
    {
        if (problem is not null)
        {
            Add(e, path, problem);
        }
    }

    private static void Add(List<SpecError> e, string path, string message) => e.Add(new SpecError(path, message, null, null));

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z")]
    private static partial Regex EnvNamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?\z")]
    private static partial Regex LabelKeyPattern();
}
