namespace Coordinator.Data.Partitioning;

/// <summary>
/// The create_batches rule, as pure functions shared by every format, so boundaries depend only on the record sizes
/// and the limits: the same input and spec always give the same batches. A batch is closed before the record that would
/// take it past maxRecords or maxBytes; it is never left empty, and a record that cannot fit even an empty batch
/// (its bytes plus the batch header exceed maxBytes) is an error for the caller to report with its location.
/// </summary>
public static class BatchCutter
{
    /// <summary>
    /// True when the next record must start a new batch. <paramref name="batchRecords"/>/<paramref name="batchBytes"/>
    /// describe the open batch (bytes include the header, if the format writes one).
    /// </summary>
    public static bool MustCutBefore(BatchLimits limits, long batchRecords, long batchBytes, long recordBytes)
    {
        if (batchRecords == 0)
            return false;
        if (limits.MaxRecords is { } maxRecords && batchRecords >= maxRecords)
            return true;
        return limits.MaxBytes is { } maxBytes && batchBytes + recordBytes > maxBytes;
    }

    /// <summary>
    /// True when a run of <paramref name="runRecords"/> records totalling <paramref name="runBytes"/> can be added to the
    /// open batch record by record with no cut before any of them and none of them too large, whatever their individual
    /// sizes: so a reader may accept the whole run at once and get the same boundaries as record by record.
    /// </summary>
    public static bool RunFits(BatchLimits limits, long batchRecords, long batchBytes, long runRecords, long runBytes) =>
        runBytes <= limits.RecordLimitBytes
        && (limits.MaxRecords is not { } maxRecords || batchRecords + runRecords <= maxRecords)
        && (limits.MaxBytes is not { } maxBytes || batchBytes + runBytes <= maxBytes);

    /// <summary>True when a record of <paramref name="recordBytes"/> can never fit a batch with the given header.</summary>
    public static bool IsTooLarge(BatchLimits limits, long recordBytes, long headerBytes) =>
        recordBytes > limits.RecordLimitBytes || (limits.MaxBytes is { } maxBytes && headerBytes + recordBytes > maxBytes);

    /// <summary>
    /// How many of <paramref name="available"/> equally sized records fit the open batch (for formats such as Parquet
    /// that cut row groups by count). Zero means the batch must be closed first (or, when empty, that one record is too
    /// large for any batch).
    /// </summary>
    public static long RecordsThatFit(BatchLimits limits, long batchRecords, long batchBytes, long recordBytes, long available)
    {
        var fit = available;
        if (limits.MaxRecords is { } maxRecords)
            fit = Math.Min(fit, Math.Max(0, maxRecords - batchRecords));
        if (limits.MaxBytes is { } maxBytes && recordBytes > 0)
            fit = Math.Min(fit, Math.Max(0, (maxBytes - batchBytes) / recordBytes));
        return fit;
    }

    /// <summary>
    /// Plan batches over a sequence of record sizes (a pure model of what the streaming readers do, used by tests and
    /// by <c>coordinator plan</c>-style previews). Returns (first record, record count, bytes incl. header) per batch.
    /// </summary>
    public static List<(long First, long Count, long Bytes)> Plan(IEnumerable<long> recordSizes, BatchLimits limits, long headerBytes = 0)
    {
        var batches = new List<(long, long, long)>();
        long first = 0, count = 0, bytes = headerBytes, index = 0;
        foreach (var size in recordSizes)
        {
            if (IsTooLarge(limits, size, headerBytes))
                throw new ArgumentException($"record {index} of {size} bytes exceeds the batch limit");
            if (MustCutBefore(limits, count, bytes, size))
            {
                batches.Add((first, count, bytes));
                first = index;
                count = 0;
                bytes = headerBytes;
            }
            count++;
            bytes += size;
            index++;
        }
        if (count > 0)
            batches.Add((first, count, bytes));
        return batches;
    }
}
