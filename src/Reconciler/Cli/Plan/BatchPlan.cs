using Coordinator.Data.Partitioning;

namespace Coordinator.Reconciler.Cli.Plan;

/// <summary>What the count-only pass found: the input, and the batches the daemon would cut from it.</summary>
public sealed record BatchPlan(
    int Objects, long InputBytes, long Records, long BlankLines, int Batches,
    long MinRecords, long MaxRecords, long MinBytes, long MaxBytes, long TotalBytes)
{
    public static BatchPlan From(PartitionResult result)
    {
        var batches = result.Manifest.Batches;
        return new BatchPlan(
            result.Stats.Objects, result.Stats.InputBytes, result.Manifest.TotalRecords, result.Stats.BlankLinesSkipped, batches.Count,
            batches.Count == 0 ? 0 : batches.Min(b => b.RecordCount), batches.Count == 0 ? 0 : batches.Max(b => b.RecordCount),
            batches.Count == 0 ? 0 : batches.Min(b => b.Bytes), batches.Count == 0 ? 0 : batches.Max(b => b.Bytes),
            result.Manifest.TotalBytes);
    }
}
