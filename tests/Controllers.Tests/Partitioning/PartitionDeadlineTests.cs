using System.Diagnostics;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Pipeline;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Controllers.Tests.Partitioning;

/// <summary>
/// Issue 15, path 6: an activeDeadline that passes while the input is being partitioned ends the partition there and
/// fails the job with DeadlineExceeded, instead of partitioning to the end (and storing, and dispatching) first.
/// </summary>
public sealed class PartitionDeadlineTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private readonly PartitionFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task A_deadline_passing_during_a_long_partition_stops_it_and_fails_the_job_with_DeadlineExceeded()
    {
        _f.Write("a.jsonl", string.Concat(Enumerable.Range(0, 500).Select(i => $"{{\"i\":{i}}}\n")));
        var job = PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, 10);
        job.Spec.ActiveDeadline = TimeSpan.FromHours(1);
        job.Status.Phase = JobPhase.Partitioning;
        job.Status.StartedAt = Now - TimeSpan.FromHours(1) + TimeSpan.FromMilliseconds(300);
        var slow = new SlowCommitStore(_f.Store, TimeSpan.FromMilliseconds(200));
        var partition = new PartitionController(slow, new CoordinatorOptions { DataRoot = new Uri(_f.Root + "/out/").ToString() },
            NullLogger<PartitionController>.Instance, CoordinatorMetrics.NoOp());

        var clock = Stopwatch.StartNew();
        var result = await partition.ReconcileAsync(new JobContext(job, Now, (_, _) => Task.FromResult(job.Version + 1)), CancellationToken.None);
        clock.Stop();

        var failed = job.Status.Conditions.Find(c => c.Type == ConditionTypes.Failed);
        Assert.True(job.Status.Phase == JobPhase.Failed && failed?.Reason == "DeadlineExceeded",
            $"after {clock.ElapsedMilliseconds} ms: phase {job.Status.Phase}, Partitioned {job.Status.Conditions.Find(c => c.Type == ConditionTypes.Partitioned)?.Status}, Failed {failed?.Reason}");
        Assert.Equal(ControllerResult.Stop, result);
        // Without the watch the 50 slow commits take 10 s; the deadline falls due 0.3 s in. 5 s leaves room for a loaded CI machine.
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Contains("while partitioning", job.Status.Message, StringComparison.Ordinal);
    }
}
