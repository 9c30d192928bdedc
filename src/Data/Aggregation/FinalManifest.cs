namespace Coordinator.Data.Aggregation;

/// <summary>
/// The job's final manifest: every batch (SUCCEEDED, FAILED or IGNORED) with its checksums and record counts, the
/// output and its sha256, the rejected records' file, and whether records were conserved (input = output + failed +
/// rejected) — a handler that changes
/// counts (filters, explodes) is reported, not treated as an error.
/// </summary>
public sealed class FinalManifest
{
    public const int CurrentVersion = 1;
    public int ManifestVersion { get; set; } = CurrentVersion;
    public string Job { get; set; } = "";
    public long Generation { get; set; }
    public string Output { get; set; } = "";
    public string OutputSha256 { get; set; } = "";
    public long OutputBytes { get; set; }
    public string Format { get; set; } = "";
    public long InputRecords { get; set; }
    public long OutputRecords { get; set; }
    public long FailedRecords { get; set; }
    /// <summary>Records the handlers rejected ($COORDINATOR_REJECTS) in batches that succeeded.</summary>
    public long RejectedRecords { get; set; }
    /// <summary>failed-records.jsonl beside the output ({"record":…, "reason":"…"} lines), when there were rejects.</summary>
    public string? FailedRecordsFile { get; set; }
    public string? FailedRecordsSha256 { get; set; }
    public bool RecordsConserved { get; set; }
    public string Note { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public List<FinalManifestBatch> Batches { get; set; } = [];
}

/// <summary>One batch's line in the final manifest.</summary>
public sealed class FinalManifestBatch
{
    public int Index { get; set; }
    /// <summary>SUCCEEDED, FAILED or IGNORED.</summary>
    public string State { get; set; } = "";
    public string InputKey { get; set; } = "";
    public string InputSha256 { get; set; } = "";
    public long InputRecords { get; set; }
    public string? ResultKey { get; set; }
    public string? ResultSha256 { get; set; }
    /// <summary>The version of the result object aggregated (S3 ETag, or a file's version token).</summary>
    public string? ResultETag { get; set; }
    public long? OutputRecords { get; set; }
    public long? RejectedRecords { get; set; }
    public string? RejectsKey { get; set; }
    public int Attempts { get; set; }
    public string? Reason { get; set; }
}
