namespace Coordinator.Data.Partitioning;

/// <summary>
/// How batches are cut: by record count, by bytes, or both (at least one must be set). <see cref="RecordLimitBytes"/>
/// is the largest single record accepted: maxBytes when set, otherwise <see cref="HardRecordLimitBytes"/>, so a
/// pathological input (one 100 MB line) is refused clearly instead of growing buffers without bound.
/// </summary>
public readonly record struct BatchLimits
{
    /// <summary>64 MiB: no record may exceed this, so reader buffers (and daemon memory) stay bounded.</summary>
    public const long HardRecordLimitBytes = 64L * 1024 * 1024;

    public BatchLimits(long? maxRecords, long? maxBytes)
    {
        if (maxRecords is null && maxBytes is null)
            throw new ArgumentException("batching needs maxRecords, maxBytes or both");
        if (maxRecords is <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxRecords), maxRecords, "batching.maxRecords must be positive");
        if (maxBytes is <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxBytes), maxBytes, "batching.maxBytes must be positive");
        MaxRecords = maxRecords;
        MaxBytes = maxBytes;
    }

    public long? MaxRecords { get; }
    public long? MaxBytes { get; }

    /// <summary>The largest single record (with its line terminator) that can be placed in a batch.</summary>
    public long RecordLimitBytes => Math.Min(MaxBytes ?? long.MaxValue, HardRecordLimitBytes);
}
