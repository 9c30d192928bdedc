namespace Coordinator.Data.Partitioning;

/// <summary>
/// Cuts a stream of text records (JSONL lines, CSV records) into batches with <see cref="BatchCutter"/>. It keeps its
/// own record and byte counts, because readers may write several records' bytes at once after deciding about each one
/// (the JSONL reader copies runs of unchanged lines with one write). Each new batch starts with the header, if any.
/// </summary>
public sealed class TextBatchAssembler(BatchOutput output, BatchLimits limits)
{
    private long _batchRecords;
    private long _batchBytes;
    private string _source = "";

    /// <summary>Written at the start of every batch (CSV header line); empty for JSONL.</summary>
    public ReadOnlyMemory<byte> Header { get; set; } = ReadOnlyMemory<byte>.Empty;
    public BatchLimits Limits => limits;
    /// <summary>Checksums run here; see <see cref="BatchWriter.WriteBorrowedAsync"/>.</summary>
    public Sha256Pipeline Hasher => output.Hasher;
    public BatchWriter? Current { get; private set; }
    /// <summary>Offset of the next record, counted across every input object.</summary>
    public long NextRecord { get; private set; }

    /// <summary>Records from here on come from <paramref name="source"/>.</summary>
    public void SetSource(string source)
    {
        _source = source;
        Current?.AddSource(source);
    }

    /// <summary>True when a record of <paramref name="recordBytes"/> can never fit in a batch (it is an input error).</summary>
    public bool IsTooLarge(long recordBytes) => BatchCutter.IsTooLarge(limits, recordBytes, Header.Length);

    /// <summary>True when the next record must go into a new batch (call <see cref="StartBatchAsync"/> first).</summary>
    public bool NeedsNewBatch(long recordBytes) =>
        Current is null || BatchCutter.MustCutBefore(limits, _batchRecords, _batchBytes, recordBytes);

    /// <summary>True when a run of records can all join the open batch with no cut and none too large (<see cref="BatchCutter.RunFits"/>).</summary>
    public bool RunFits(long records, long bytes) =>
        Current is not null && BatchCutter.RunFits(limits, _batchRecords, _batchBytes, records, bytes);

    /// <summary>Complete the open batch (if any) and open the next, writing the header.</summary>
    public async Task StartBatchAsync(CancellationToken ct)
    {
        await CompleteAsync(ct).ConfigureAwait(false);
        Current = await output.StartAsync(NextRecord, ct).ConfigureAwait(false);
        Current.AddSource(_source);
        _batchRecords = 0;
        _batchBytes = Header.Length;
        if (!Header.IsEmpty)
            await Current.Stream.WriteAsync(Header, ct).ConfigureAwait(false);
    }

    /// <summary>Count one record of <paramref name="recordBytes"/> into the open batch (its bytes are written separately).</summary>
    public void AddRecord(long recordBytes) => AddRecords(1, recordBytes);

    /// <summary>Count <paramref name="records"/> records of <paramref name="bytes"/> in all (checked with <see cref="RunFits"/>).</summary>
    public void AddRecords(long records, long bytes)
    {
        _batchRecords += records;
        _batchBytes += bytes;
        NextRecord += records;
        Current!.AddRecords(records);
    }

    /// <summary>Complete the open batch, if any.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        if (Current is null)
            return;
        var current = Current;
        Current = null;
        try
        {
            await output.CompleteAsync(current, ct).ConfigureAwait(false);
        }
        finally
        {
            await current.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Abandon the open batch without committing it (on error): nothing half-written is left behind.</summary>
    public async Task AbandonAsync()
    {
        if (Current is null)
            return;
        var current = Current;
        Current = null;
        await current.DisposeAsync().ConfigureAwait(false);
    }
}
