using Coordinator.Model.Tasks;
using Coordinator.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Controllers.Tests.Worker;

public sealed class PilotWorkerTests : IDisposable
{
    private readonly WorkerFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public async Task Pilots_ProcessEveryBatchExactlyOnceAndExitWhenNoneAreLeft()
    {
        var job = await _fx.SeedAsync(WorkerFixture.NewJob("pilots", "cat"), 40);
        var pilots = Enumerable.Range(0, 3).Select(p =>
            new PilotWorker(_fx.State, _fx.Worker(), TimeProvider.System, NullLogger<PilotWorker>.Instance)
                .RunAsync("pilots", p, 3, new WorkerIdentity($"node{p}", "9", p.ToString(System.Globalization.CultureInfo.InvariantCulture)), default, default));
        var recorded = await Task.WhenAll(pilots);
        Assert.Equal(40, recorded.Sum());
        for (var i = 0; i < 40; i++)
        {
            var task = _fx.State.Stored("pilots", i);
            Assert.Equal((TaskState.Succeeded, 1), (task.State, task.Attempt));
        }
    }

    [Fact]
    public async Task Pilot_RetriesAFailingBatchAfterBackoffThenStops()
    {
        var job = WorkerFixture.NewJob("pilot-retry", "false");
        job.Spec.Retry.MaxAttempts = 3;
        job = await _fx.SeedAsync(job, 2);
        await new PilotWorker(_fx.State, _fx.Worker(), TimeProvider.System, NullLogger<PilotWorker>.Instance)
            .RunAsync("pilot-retry", 0, 1, new WorkerIdentity("n", null, null), default, default);
        Assert.All(Enumerable.Range(0, 2), i =>
        {
            var task = _fx.State.Stored("pilot-retry", i);
            Assert.Equal((TaskState.Failed, 3, 1), (task.State, task.Attempt, task.ExitCode));
        });
    }

    [Fact]
    public async Task Pilot_RunsUpToItsConcurrencyOfBatchesAtOnceAndNeverMore()
    {
        await _fx.SeedAsync(WorkerFixture.NewJob("pilot-wide", "sh", "-c", "sleep 0.4; cat"), 12);
        var worker = _fx.Worker();

        var recorded = await new PilotWorker(_fx.State, worker, TimeProvider.System, NullLogger<PilotWorker>.Instance) { Concurrency = 4 }
            .RunAsync("pilot-wide", 0, 1, new WorkerIdentity("n", null, null), default, default);

        Assert.Equal(12, recorded);
        var spans = Enumerable.Range(0, 12).Select(i => _fx.State.Stored("pilot-wide", i))
            .Select(t => (Start: t.StartedAt!.Value, End: t.FinishedAt!.Value)).ToList();
        var mostAtOnce = spans.Max(s => spans.Count(o => o.Start <= s.Start && s.Start < o.End));
        Assert.InRange(mostAtOnce, 2, 4);
        Assert.All(Enumerable.Range(0, 12), i => Assert.Equal(TaskState.Succeeded, _fx.State.Stored("pilot-wide", i).State));
        var summary = worker.Stats.Summarize();
        Assert.Equal(12, summary.Batches);
        Assert.InRange(summary.HandlerMs, 400, 60_000);
        Assert.Equal(summary.TotalMs, summary.HandlerMs + summary.OverheadMs, 3);
    }
}
