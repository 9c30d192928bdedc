namespace Coordinator.Model.Spec;

/// <summary>
/// Every default of the v1 job API, in one place. The spec POCOs initialise from these constants, the encoder
/// writes them out explicitly (so a stored spec never changes meaning when a default changes), and
/// docs/job-spec.md lists the same values.
/// </summary>
public static class JobSpecDefaults
{
    public const string ApiVersion = "coordinator/v1";
    public const string Kind = "Job";
    public const string TemplateKind = "JobTemplate";

    public const InputFormat InputFormat = Spec.InputFormat.Jsonl;
    public const string CsvDelimiter = ",";
    public const bool CsvHeader = true;
    public const bool InputValidate = true;

    public const HandlerMode HandlerMode = Spec.HandlerMode.Stdio;
    public static readonly TimeSpan HandlerTimeout = TimeSpan.FromMinutes(10);

    public const AggregateMode Aggregate = AggregateMode.Concat;

    public const DispatchMode DispatchMode = Spec.DispatchMode.Array;
    public const int PilotWorkers = 4;
    public const int BatchesPerTask = 1;

    public const int CpusPerTask = 1;
    public const int MaxConcurrent = 50;

    public const int MaxAttempts = 3;
    /// <summary>Uncharged retries after disruptions (preemption, node failure) before the batch fails.</summary>
    public const int MaxDisruptions = 5;
    public static readonly TimeSpan BackoffBase = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan BackoffMax = TimeSpan.FromMinutes(10);

    public const double ToleratedFailurePercent = 0;
    public const long ToleratedFailureCount = 0;

    public const bool Suspend = false;

    // Limits the validator enforces; kept here so docs and code agree.
    public const int MaxNameLength = 63;
    public const int MaxConcurrentLimit = 100_000;
    public const int MaxAttemptsLimit = 100;
    public const int MaxDisruptionsLimit = 1000;
    public const int MaxPilotWorkers = 10_000;
    public const int MaxBatchesPerTask = 10_000;
    public const int MaxCpusPerTask = 4096;
}
