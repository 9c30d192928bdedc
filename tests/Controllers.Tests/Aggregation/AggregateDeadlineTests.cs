using System.Diagnostics;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Tests.Dispatch;
using Coordinator.Controllers.Tests.Partitioning;
using Coordinator.Data.Layout;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Controllers.Tests.Aggregation;

/// <summary>
/// Issue 15, path 6: an activeDeadline that passes while the results are being combined ends the aggregation there
/// and fails the job with DeadlineExceeded; no output is committed.
/// </summary>
public sealed class AggregateDeadlineTests : IDisposable
{
    private readonly ControllerFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public async Task A_deadline_passing_during_aggregation_stops_it_and_fails_the_job_with_DeadlineExceeded()
    {
        var output = Path.Combine(_fx.Worker.Root, "out") + "/";
        await _fx.StoredJobAsync("late", 1, s => { s.Output.Uri = new Uri(output).ToString(); s.ActiveDeadline = TimeSpan.FromHours(1); });
        var job = (await _fx.State.GetJobAsync("late", default))!;
        job.Status.Phase = JobPhase.Aggregating;
        job.Status.StartedAt = _fx.Now - TimeSpan.FromHours(1) + TimeSpan.FromMilliseconds(300);
        await _fx.State.UpdateJobStatusAsync(job, default);
        var result = new JobLayout(_fx.Options.DataRootUri, "late", 1).Result(0, 1, InputFormat.Jsonl);
        string? etag;
        await using (var writer = await _fx.Worker.Store.OpenWriteAsync(result, default))
        {
            await writer.Stream.WriteAsync("{\"a\":1}\n"u8.ToArray());
            await writer.CommitAsync(default);
            etag = writer.ETag;
        }
        await _fx.SetTaskAsync("late", 0, t =>
        {
            t.State = TaskState.Succeeded; t.ResultKey = result.ToString(); t.ResultETag = etag; t.OutputRecords = 1; t.Attempt = 1;
            t.ResultSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("{\"a\":1}\n"u8.ToArray()));
        });
        var slow = new SlowCommitStore(_fx.Worker.Store, TimeSpan.FromSeconds(30));

        var clock = Stopwatch.StartNew();
        (job, _) = await _fx.PassAsync("late", () =>
            new AggregateController(_fx.State, slow, _fx.Tallies, NullLogger<AggregateController>.Instance, CoordinatorMetrics.NoOp(), _fx.Options));

        var failed = job.Status.Conditions.Find(c => c.Type == ConditionTypes.Failed);
        Assert.True(job.Status.Phase == JobPhase.Failed && failed?.Reason == "DeadlineExceeded",
            $"after {clock.ElapsedMilliseconds} ms: phase {job.Status.Phase}, Failed {failed?.Reason}: {job.Status.Message}");
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10)); // unwatched, the slow commit alone takes 30 s
        Assert.Equal("the job ran longer than its activeDeadline of 1h (while aggregating)", job.Status.Message);
        Assert.False(File.Exists(Path.Combine(output, "output.jsonl")));
    }
}
