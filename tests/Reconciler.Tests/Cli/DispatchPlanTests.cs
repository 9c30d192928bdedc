using Coordinator.Model.Spec;
using Coordinator.Reconciler.Cli.Plan;

namespace Coordinator.Reconciler.Tests.Cli;

public sealed class DispatchPlanTests
{
    [Fact]
    public void Array_mode_lists_the_sbatch_arrays_split_at_max_array_size_with_the_throttle()
    {
        var spec = new JobSpec { Slurm = { MaxConcurrent = 20 } };

        var lines = DispatchPlan.Describe(spec, batches: 2500, maxArraySize: 1001, budget: 5000);

        Assert.Equal(
        [
            "mode: array, one Slurm array task per batch, at most 20 running at once (%20)",
            "first pass: 3 submissions for 2500 of 2500 batches (MaxArraySize 1001, outstanding-task budget 5000)",
            "  sbatch --array=0-1000%20  (batches 0-1000)",
            "  sbatch --array=0-1000%20  (batches 1001-2001, offset 1001)",
            "  sbatch --array=0-497%20  (batches 2002-2499, offset 2002)",
        ], lines);
    }

    [Fact]
    public void Batches_beyond_the_outstanding_budget_are_said_to_wait()
    {
        var lines = DispatchPlan.Describe(new JobSpec(), batches: 120, maxArraySize: 100001, budget: 100);

        Assert.Contains("first pass: 1 submission for 100 of 120 batches (MaxArraySize 100001, outstanding-task budget 100)", lines);
        Assert.Contains("20 batches wait for the budget and are submitted as earlier tasks end", lines);
    }

    [Fact]
    public void Pilot_mode_names_one_array_of_workers_capped_at_the_batch_count()
    {
        var spec = new JobSpec { Dispatch = { Mode = DispatchMode.Pilot, Workers = 8 } };

        var lines = DispatchPlan.Describe(spec, batches: 3, maxArraySize: 1001, budget: 5000);

        Assert.Equal("1 submission: sbatch --array=0-2 (no %N throttle: the workers are the concurrency)", lines[1]);
        Assert.StartsWith("mode: pilot, 3 workers", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Packed_array_mode_shows_the_pack_size_and_why_and_counts_array_tasks()
    {
        var spec = new JobSpec { Slurm = { MaxConcurrent = 50 }, Dispatch = { BatchesPerTask = DispatchSpec.AutoBatchesPerTask } };

        var lines = DispatchPlan.Describe(spec, batches: 10_000, maxArraySize: 1001, budget: 5000, meanRecords: 10);

        Assert.Equal("mode: array, packs of 100 batches per Slurm array task (auto: batches average 10 records; 10000 ready / maxConcurrent 50, at most 100), at most 50 running at once (%50)", lines[0]);
        Assert.Equal("first pass: 1 submission of 100 array tasks for 10000 of 10000 batches (MaxArraySize 1001, outstanding-task budget 5000)", lines[1]);
        Assert.Equal("  sbatch --array=0-99%50  (batches 0-9999)", lines[2]);
    }

    [Fact]
    public void Auto_with_big_batches_keeps_one_task_per_batch_and_says_why()
    {
        var spec = new JobSpec { Dispatch = { BatchesPerTask = DispatchSpec.AutoBatchesPerTask } };

        var lines = DispatchPlan.Describe(spec, batches: 200, maxArraySize: 1001, budget: 5000, meanRecords: 50_000);

        Assert.Equal("mode: array, one Slurm array task per batch (auto: batches average 50000 records (over 1000), one task each), at most 50 running at once (%50)", lines[0]);
    }
}
