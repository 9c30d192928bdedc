using Coordinator.Worker;

namespace Coordinator.Controllers.Tests.Worker;

public sealed class WorkerStatsTests
{
    [Fact]
    public void Summary_IsAllZeroBeforeTheFirstBatch()
    {
        var summary = new WorkerStats().Summarize();
        Assert.Equal(new WorkerStatsSummary(0, 0, 0, 0, 0, 0, 0, 0), summary);
    }

    [Fact]
    public async Task Summary_SplitsEachBatchIntoHandlerTimeAndWorkerOverheadThatAddUpToTheTotal()
    {
        var stats = new WorkerStats();
        for (var i = 0; i < 2; i++)
        {
            var timing = new BatchTiming();
            timing.DownloadDone();
            await Task.Delay(30);
            timing.HandlerDone();
            timing.ValidateDone();
            timing.UploadDone();
            await Task.Delay(10);
            timing.RecordDone();
            stats.Add(timing);
        }

        var summary = stats.Summarize();

        Assert.Equal(2, summary.Batches);
        Assert.InRange(summary.HandlerMs, 25, 5_000);
        Assert.InRange(summary.RecordMs, 8, 5_000);
        Assert.Equal(summary.TotalMs, summary.HandlerMs + summary.OverheadMs, 6);
        Assert.True(summary.OverheadMs >= summary.DownloadMs + summary.ValidateMs + summary.UploadMs + summary.RecordMs - 0.001);
        Assert.Contains("worker overhead", summary.ToString(), StringComparison.Ordinal);
    }
}
