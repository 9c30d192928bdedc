using System.Globalization;
using Coordinator.Controllers.Dispatch;
using Coordinator.Model.Spec;

namespace Coordinator.Reconciler.Cli.Plan;

/// <summary>
/// How the daemon would hand <c>batches</c> batches to Slurm, from the same <see cref="ArrayPlanner"/> the dispatch
/// controller uses: array mode lists the first pass's sbatch --array submissions (split at MaxArraySize, limited by
/// the outstanding-task budget) and what waits; pilot mode names its worker array. Pure.
/// </summary>
public static class DispatchPlan
{
    /// <summary>Submissions listed one by one; beyond this they are counted.</summary>
    public const int ListedSubmissions = 5;

    public static IReadOnlyList<string> Describe(JobSpec spec, int batches, int maxArraySize, int budget, double meanRecords = 0)
    {
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>();
        if (spec.Dispatch.Mode == DispatchMode.Pilot)
        {
            var pilots = Math.Max(1, Math.Min(spec.Dispatch.Workers, batches));
            lines.Add(string.Format(c, "mode: pilot, {0} worker{1} (spec.dispatch.workers {2}, at most one per batch), each claiming pending batches until none are left",
                pilots, pilots == 1 ? "" : "s", spec.Dispatch.Workers));
            lines.Add(string.Format(c, "1 submission: sbatch --array=0-{0} (no %N throttle: the workers are the concurrency)", pilots - 1));
            return lines;
        }
        var max = spec.Slurm.MaxConcurrent;
        var (perTask, why) = PackSize.Choose(spec, batches, meanRecords);
        var auto = spec.Dispatch.BatchesPerTask == DispatchSpec.AutoBatchesPerTask;
        lines.Add(perTask == 1
            ? string.Format(c, "mode: array, one Slurm array task per batch{1}, at most {0} running at once (%{0})", max, auto ? $" ({why})" : "")
            : string.Format(c, "mode: array, packs of {1} batches per Slurm array task ({2}), at most {0} running at once (%{0})", max, perTask, why));
        var chunks = ArrayPlanner.Plan(Enumerable.Range(0, batches), maxArraySize, budget, perTask);
        var covered = chunks.Sum(ch => ch.BatchIndexes.Count);
        lines.Add(string.Format(c, "first pass: {0} submission{1}{2} for {3} of {4} batches (MaxArraySize {5}, outstanding-task budget {6})",
            chunks.Count, chunks.Count == 1 ? "" : "s", perTask == 1 ? "" : $" of {chunks.Sum(ch => ch.Tasks)} array tasks", covered, batches, maxArraySize, budget));
        foreach (var chunk in chunks.Take(ListedSubmissions))
        {
            var offset = chunk.Offset == 0 ? "" : string.Format(c, ", offset {0}", chunk.Offset);
            lines.Add(string.Format(c, "  sbatch --array={0}%{1}  (batches {2}{3})", chunk.ArrayIndexes, max, chunk.Indexes, offset));
        }
        if (chunks.Count > ListedSubmissions)
        {
            lines.Add(string.Format(c, "  … and {0} more submissions", chunks.Count - ListedSubmissions));
        }
        if (covered < batches)
        {
            lines.Add(string.Format(c, "{0} batches wait for the budget and are submitted as earlier tasks end", batches - covered));
        }
        return lines;
    }
}
