using System.Globalization;
using Coordinator.Model.Spec;

namespace Coordinator.Controllers.Dispatch;

/// <summary>
/// How many batches one Slurm array task runs in array mode (a pack; spec.dispatch.batchesPerTask). A number is taken
/// as given. "auto" packs small batches — at most <see cref="SmallBatchRecords"/> input records on average — so that
/// Slurm's per-task cost is paid once per pack but the job still fills slurm.maxConcurrent tasks:
/// ⌊ready / maxConcurrent⌋, between 1 and <see cref="MaxAutoPack"/>; bigger batches get one task each. Pure.
/// </summary>
public static class PackSize
{
    /// <summary>Mean input records per batch at or under which "auto" packs.</summary>
    public const double SmallBatchRecords = 1000;

    /// <summary>Most batches "auto" puts in one task.</summary>
    public const int MaxAutoPack = 100;

    /// <summary>The pack size for <paramref name="ready"/> batches averaging <paramref name="meanRecords"/> records, and why.</summary>
    public static (int PerTask, string Why) Choose(JobSpec spec, int ready, double meanRecords)
    {
        var c = CultureInfo.InvariantCulture;
        var configured = spec.Dispatch.BatchesPerTask;
        if (configured != DispatchSpec.AutoBatchesPerTask)
        {
            return (Math.Max(1, configured), string.Format(c, "spec.dispatch.batchesPerTask {0}", configured));
        }
        if (meanRecords > SmallBatchRecords)
        {
            return (1, string.Format(c, "auto: batches average {0:F0} records (over {1}), one task each", meanRecords, SmallBatchRecords));
        }
        var perTask = Math.Clamp(ready / Math.Max(1, spec.Slurm.MaxConcurrent), 1, MaxAutoPack);
        return (perTask, string.Format(c, "auto: batches average {0:F0} records; {1} ready / maxConcurrent {2}, at most {3}",
            meanRecords, ready, spec.Slurm.MaxConcurrent, MaxAutoPack));
    }
}
