namespace Coordinator.Data.Partitioning;

/// <summary>What one partition pass read and wrote (for status, logs and benchmarks).</summary>
public sealed class PartitionStats
{
    public int Objects { get; set; }
    public long Records { get; set; }
    /// <summary>Blank JSONL lines / empty CSV lines skipped (the stated policy: skipped, counted, never a record).</summary>
    public long BlankLinesSkipped { get; set; }
    /// <summary>Bytes read from the input, after decompression.</summary>
    public long InputBytes { get; set; }
    public int BatchesWritten { get; set; }
    /// <summary>Batches already stored by an interrupted earlier pass, re-derived but not written again.</summary>
    public int BatchesReused { get; set; }
}
