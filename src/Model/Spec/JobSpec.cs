namespace Coordinator.Model.Spec;

/// <summary>
/// The desired state of a job: the user-facing v1 API. Field names are fixed by DESIGN.md
/// ("The job API, v1"); extend, never rename. Defaults live in JobSpecDefaults.
/// </summary>
public sealed class JobSpec
{
    /// <summary>Optional JobTemplate item (in the jobs table) this spec inherits from.</summary>
    public string? Template { get; set; }
    public InputSpec Input { get; set; } = new();
    public BatchingSpec Batching { get; set; } = new();
    public HandlerSpec Handler { get; set; } = new();
    public OutputSpec Output { get; set; } = new();
    public DispatchSpec Dispatch { get; set; } = new();
    public SlurmSpec Slurm { get; set; } = new();
    public RetrySpec Retry { get; set; } = new();
    public FailurePolicySpec FailurePolicy { get; set; } = new();
    /// <summary>When true, nothing new is dispatched and pending tasks are held.</summary>
    public bool Suspend { get; set; }
    /// <summary>Wall-clock limit for the whole job, from its start; null means none.</summary>
    public TimeSpan? ActiveDeadline { get; set; }
    /// <summary>How long a finished job's data is kept before cleanup; null means forever.</summary>
    public TimeSpan? TtlAfterFinished { get; set; }
    /// <summary>Bumping this asks the daemon to rerun the failed batches of a Failed job (redrive).</summary>
    public long RetryGeneration { get; set; }
}

public enum InputFormat { Jsonl, Csv, Parquet }

public sealed class InputSpec
{
    /// <summary>s3://bucket/key, s3://bucket/prefix/ or file:///path.</summary>
    public string Uri { get; set; } = "";
    public InputFormat Format { get; set; } = JobSpecDefaults.InputFormat;
    public CsvOptions Csv { get; set; } = new();
    /// <summary>
    /// JSONL only: check that every line is one JSON value (true), or pass lines through raw after the UTF-8 check
    /// (false), which is several times faster. CSV and Parquet are always parsed.
    /// </summary>
    public bool Validate { get; set; } = JobSpecDefaults.InputValidate;
}

public sealed class CsvOptions
{
    public string Delimiter { get; set; } = JobSpecDefaults.CsvDelimiter;
    public bool Header { get; set; } = JobSpecDefaults.CsvHeader;
}

public sealed class BatchingSpec
{
    public long? MaxRecords { get; set; }
    /// <summary>Bytes; parsed from sizes such as 64MiB or 2G.</summary>
    public long? MaxBytes { get; set; }
}

public enum HandlerMode { Stdio, File, Stream }

public sealed class HandlerSpec
{
    /// <summary>argv; never run through a shell.</summary>
    public List<string> Command { get; set; } = [];
    public HandlerMode Mode { get; set; } = JobSpecDefaults.HandlerMode;
    public TimeSpan Timeout { get; set; } = JobSpecDefaults.HandlerTimeout;
    public Dictionary<string, string> Env { get; set; } = [];
    /// <summary>Names or globs of the worker's variables the handler also gets (never AWS_* or COORDINATOR_*).</summary>
    public List<string> InheritEnv { get; set; } = [];
    /// <summary>Absolute directory the handler starts in; null means its scratch directory.</summary>
    public string? WorkingDirectory { get; set; }
}

public enum AggregateMode { Concat, None }

public sealed class OutputSpec
{
    public string Uri { get; set; } = "";
    /// <summary>Null means the input's format.</summary>
    public InputFormat? Format { get; set; }
    public AggregateMode Aggregate { get; set; } = JobSpecDefaults.Aggregate;
}

public enum DispatchMode { Array, Pilot }

public sealed class DispatchSpec
{
    public DispatchMode Mode { get; set; } = JobSpecDefaults.DispatchMode;
    /// <summary>Pilot mode only: how many long-lived workers pull batches.</summary>
    public int Workers { get; set; } = JobSpecDefaults.PilotWorkers;
    /// <summary>
    /// Array mode only: batches one Slurm array task runs, one after another (a pack); <see cref="AutoBatchesPerTask"/>
    /// (written "auto") lets the dispatcher choose from the batch sizes. Default 1: one task per batch.
    /// </summary>
    public int BatchesPerTask { get; set; } = JobSpecDefaults.BatchesPerTask;

    /// <summary>The value of <see cref="BatchesPerTask"/> that "auto" reads as.</summary>
    public const int AutoBatchesPerTask = 0;
}

public sealed class SlurmSpec
{
    public string? Partition { get; set; }
    public int CpusPerTask { get; set; } = JobSpecDefaults.CpusPerTask;
    /// <summary>Slurm memory string as given (e.g. 2G); validated as a size.</summary>
    public string? Memory { get; set; }
    /// <summary>Slurm time string (e.g. 01:00:00).</summary>
    public string? TimeLimit { get; set; }
    public string? Gres { get; set; }
    public string? Account { get; set; }
    public string? Qos { get; set; }
    /// <summary>The %N array throttle; editable while running.</summary>
    public int MaxConcurrent { get; set; } = JobSpecDefaults.MaxConcurrent;
}

public enum RetryAction { FailJob, FailBatch, Ignore, Count }

public sealed class RetrySpec
{
    public int MaxAttempts { get; set; } = JobSpecDefaults.MaxAttempts;
    /// <summary>
    /// Retries after disruptions — Slurm preempted the task or its node failed — which are not charged against
    /// <see cref="MaxAttempts"/>; one more disruption fails the batch, so an always-preempted batch ends with a reason.
    /// </summary>
    public int MaxDisruptions { get; set; } = JobSpecDefaults.MaxDisruptions;
    public BackoffSpec Backoff { get; set; } = new();
    /// <summary>First match wins, like Kubernetes' podFailurePolicy.</summary>
    public List<RetryRule> Rules { get; set; } = [];
}

public sealed class BackoffSpec
{
    public TimeSpan Base { get; set; } = JobSpecDefaults.BackoffBase;
    public TimeSpan Max { get; set; } = JobSpecDefaults.BackoffMax;
}

public sealed class RetryRule
{
    public RetryAction Action { get; set; }
    public List<int> OnExitCodes { get; set; } = [];
}

public sealed class FailurePolicySpec
{
    public double ToleratedFailurePercent { get; set; } = JobSpecDefaults.ToleratedFailurePercent;
    public long ToleratedFailureCount { get; set; } = JobSpecDefaults.ToleratedFailureCount;
}
