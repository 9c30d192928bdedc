using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Tests.Scheduling;
using Coordinator.Scheduling.Commands;
using Coordinator.Scheduling.Slurm;
using Coordinator.Testing.Metrics;
using Coordinator.Testing.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Controllers.Tests.Metrics;

/// <summary>The instruments the Grafana dashboard reads (deploy/grafana/coordinator.json), checked with a MeterListener.</summary>
public sealed class CoordinatorMetricsTests
{
    private static Dictionary<string, double> ByTag(IEnumerable<(double Value, Dictionary<string, string> Tags)> measurements, string tag) =>
        measurements.GroupBy(m => m.Tags[tag]).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));

    [Fact]
    public void TasksByState_SumsTheLatestTallyOfEveryJobAndDropsAForgottenJob()
    {
        using var metrics = new CoordinatorMetrics();
        using var recorder = new MeterRecorder(metrics);
        metrics.TasksObserved("a", new Dictionary<string, long> { ["Pending"] = 3, ["Running"] = 2 });
        metrics.TasksObserved("b", new Dictionary<string, long> { ["Pending"] = 1, ["Succeeded"] = 4 });
        metrics.TasksObserved("a", new Dictionary<string, long> { ["Pending"] = 0, ["Running"] = 1, ["Succeeded"] = 4 });
        recorder.Observe();
        var tasks = ByTag(recorder.Of("coordinator.tasks"), "state");
        Assert.Equal(new Dictionary<string, double> { ["Pending"] = 1, ["Running"] = 1, ["Succeeded"] = 8 }, tasks);

        metrics.JobForgotten("b");
        recorder.Observe();
        tasks = ByTag(recorder.Of("coordinator.tasks"), "state");
        Assert.Equal(new Dictionary<string, double> { ["Pending"] = 0, ["Running"] = 1, ["Succeeded"] = 4 }, tasks);
    }

    [Fact]
    public void JobsByPhase_ForgettingAJobRemovesItFromItsPhaseAtOnce()
    {
        using var metrics = new CoordinatorMetrics();
        using var recorder = new MeterRecorder(metrics);
        metrics.JobPhaseObserved("a", "Running");
        metrics.JobPhaseObserved("b", "Running");
        metrics.JobForgotten("a");
        recorder.Observe();
        Assert.Equal(1, ByTag(recorder.Of("coordinator.jobs"), "phase")["Running"]);
    }

    [Fact]
    public void Failures_CountedByScopeAndReason()
    {
        using var metrics = new CoordinatorMetrics();
        using var recorder = new MeterRecorder(metrics);
        metrics.JobFailed("BackoffLimitExceeded");
        metrics.JobFailed("BackoffLimitExceeded");
        metrics.BatchFailed("Lost");
        var failures = recorder.Of("coordinator.failures");
        Assert.Equal(2, failures.Where(f => f.Tags["scope"] == "job" && f.Tags["reason"] == "BackoffLimitExceeded").Sum(f => f.Value));
        Assert.Equal(1, failures.Where(f => f.Tags["scope"] == "batch" && f.Tags["reason"] == "Lost").Sum(f => f.Value));
    }

    [Fact]
    public void InitializeKnownSeries_PublishesZeroForEveryTableAndSlurmCommandWithoutChangingTotals()
    {
        using var metrics = new CoordinatorMetrics();
        using var recorder = new MeterRecorder(metrics);
        metrics.InitializeKnownSeries(["jobs", "tasks", "leases"]);
        var conflicts = recorder.Of("coordinator.state.conflicts");
        Assert.Equal(["jobs", "leases", "tasks"], conflicts.Select(c => c.Tags["table"]).Order(StringComparer.Ordinal));
        Assert.All(conflicts, c => Assert.Equal(0, c.Value));
        var errors = recorder.Of("coordinator.slurm.errors");
        Assert.Equal(8, errors.Count);
        Assert.Contains(errors, e => e.Tags["command"] == "sbatch" && e.Tags["kind"] == "permanent");
        Assert.All(errors, e => Assert.Equal(0, e.Value));
    }

    [Fact]
    public async Task SlurmScheduler_RecordsLatencyOfEveryAttemptErrorsByKindAndTheSubmissionResult()
    {
        using var metrics = new CoordinatorMetrics();
        using var recorder = new MeterRecorder(metrics);
        // The retry first looks for the submission's token in squeue (not there), then runs sbatch again.
        var runner = new ScriptedRunner(
            new CommandResult(1, "", "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation"),
            new CommandResult(0, """{"errors": [], "jobs": []}""", ""),
            new CommandResult(0, "4242\n", ""));
        var scheduler = new SlurmScheduler(runner, NullLogger<SlurmScheduler>.Instance, metrics, "test", maxRetryAttempts: 2, retryDelay: TimeSpan.FromMilliseconds(1));
        await scheduler.SubmitAsync(BatchScriptBuilderTests.Request(["w"], new Dictionary<string, string>()), default);

        var latency = recorder.Of("coordinator.slurm.latency");
        Assert.Equal(["sbatch", "squeue", "sbatch"], latency.Select(l => l.Tags["command"]));
        Assert.All(latency, l => Assert.True(l.Value >= 0));
        var error = Assert.Single(recorder.Of("coordinator.slurm.errors"));
        Assert.Equal(("sbatch", "transient", 1d), (error.Tags["command"], error.Tags["kind"], error.Value));
        var submission = Assert.Single(recorder.Of("coordinator.slurm.submissions"));
        Assert.Equal("ok", submission.Tags["result"]);
    }

    [Fact]
    public async Task SlurmScheduler_PermanentSbatchFailureCountsAsAFailedSubmission()
    {
        using var metrics = new CoordinatorMetrics();
        using var recorder = new MeterRecorder(metrics);
        var runner = new ScriptedRunner(new CommandResult(1, "", "sbatch: error: invalid partition specified: nope"));
        var scheduler = new SlurmScheduler(runner, NullLogger<SlurmScheduler>.Instance, metrics, "test", maxRetryAttempts: 2, retryDelay: TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAsync<SchedulerException>(() => scheduler.SubmitAsync(BatchScriptBuilderTests.Request(["w"], new Dictionary<string, string>()), default));

        var error = Assert.Single(recorder.Of("coordinator.slurm.errors"));
        Assert.Equal("permanent", error.Tags["kind"]);
        Assert.Equal("error", Assert.Single(recorder.Of("coordinator.slurm.submissions")).Tags["result"]);
    }
}
