using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Spec;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Tests.Dispatch;

/// <summary>Packed arrays (spec.dispatch.batchesPerTask): planning, the --comment, in-flight batches, the pack size, dispatch.</summary>
public sealed class PackedArrayTests : IDisposable
{
    private readonly ControllerFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public void Planner_PacksAlignedBlocks_CountsTheBudgetInTasks_AndSplitsAtMaxArraySize()
    {
        var chunks = ArrayPlanner.Plan(Enumerable.Range(0, 25), maxArraySize: 3, budget: 100, perTask: 4);
        Assert.Equal([(0, "0-2", 12), (12, "0-2", 12), (24, "0", 1)], chunks.Select(c => (c.Offset, c.ArrayIndexes, c.BatchIndexes.Count)));

        var budgeted = ArrayPlanner.Plan(Enumerable.Range(0, 25), maxArraySize: 1000, budget: 2, perTask: 4);
        Assert.Equal("0-7", Assert.Single(budgeted).Indexes);
        Assert.Equal(2, budgeted[0].Tasks);

        // Retries: only the blocks that hold a ready batch are submitted, each batch in the block of its own index.
        var retries = Assert.Single(ArrayPlanner.Plan([5, 17, 18], maxArraySize: 1000, budget: 100, perTask: 8));
        Assert.Equal(("0,2", 2), (retries.ArrayIndexes, retries.Tasks));
    }

    [Fact]
    public void Planner_WithOnePerTask_IsTheUnpackedPlan()
    {
        var chunks = ArrayPlanner.Plan(Enumerable.Range(0, 25), maxArraySize: 10, budget: 100);
        Assert.Equal([(0, "0-9"), (10, "0-9"), (20, "0-4")], chunks.Select(c => (c.Offset, c.ArrayIndexes)));
    }

    [Theory]
    [InlineData("tok@12x4", 12, 4)]
    [InlineData("tok@12", 12, 1)]
    public void Comment_RoundTripsThePackSize(string text, int offset, int perTask)
    {
        var comment = SubmissionComment.TryParse(text)!.Value;
        Assert.Equal(("tok", offset, perTask), (comment.Token, comment.Offset!.Value, comment.PerTask));
        Assert.Equal(text, comment.ToString());
    }

    [Theory]
    [InlineData("tok@12x0")]
    [InlineData("tok@12x")]
    [InlineData("tok@x4")]
    public void Comment_WithABadPackSize_IsNotOurs(string text) => Assert.Null(SubmissionComment.TryParse(text));

    [Fact]
    public void InFlight_ALiveTaskOfAPackHoldsEveryBatchOfItsBlock()
    {
        var job = new ScheduledJob("55", "j", "tok@100x4", [new ScheduledTask("55", 2, SchedulerTaskState.Running, null)]);
        var inFlight = InFlight.From([job]);
        Assert.Equal([108, 109, 110, 111], inFlight.BatchIndexes.Order());
        Assert.Equal("55_2", inFlight.Elements[110]);
    }

    [Fact]
    public void PackSize_TakesTheSpec_OrChoosesFromTheBatchSizes()
    {
        Assert.Equal(1, PackSize.Choose(new JobSpec(), 10_000, 10).PerTask);
        Assert.Equal(7, PackSize.Choose(new JobSpec { Dispatch = { BatchesPerTask = 7 } }, 3, 1e6).PerTask);
        var auto = new JobSpec { Dispatch = { BatchesPerTask = DispatchSpec.AutoBatchesPerTask }, Slurm = { MaxConcurrent = 50 } };
        Assert.Equal(100, PackSize.Choose(auto, 10_000, 10).PerTask);
        Assert.Equal(4, PackSize.Choose(auto, 200, 10).PerTask);
        Assert.Equal(1, PackSize.Choose(auto, 60, 10).PerTask);
        var (big, why) = PackSize.Choose(auto, 10_000, 5000);
        Assert.Equal(1, big);
        Assert.Contains("average 5000 records", why, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispatch_SubmitsOneTaskPerPack_WithThePackOnTheWorkersCommandAndComment()
    {
        await _fx.StoredJobAsync("packed", 10, s => s.Dispatch.BatchesPerTask = 4);
        await _fx.PassAsync("packed", _fx.Dispatch);
        var request = Assert.Single(_fx.Scheduler.Submitted).Request;
        Assert.Equal("0-2", request.ArrayIndexes);
        Assert.Contains("--batches-per-task=4", request.Command);
        Assert.Equal(4, SubmissionComment.TryParse(request.Token)!.Value.PerTask);
        // Slurm still has the packs: nothing is submitted again.
        await _fx.PassAsync("packed", _fx.Dispatch);
        Assert.Single(_fx.Scheduler.Submitted);
    }

    [Fact]
    public async Task Dispatch_ABatchRetriedInsideAPack_IsSubmittedInItsOwnBlockOnly()
    {
        await _fx.StoredJobAsync("retry", 12, s => s.Dispatch.BatchesPerTask = 4);
        await _fx.PassAsync("retry", _fx.Dispatch);
        for (var i = 0; i < 12; i++)
        {
            await _fx.SetTaskAsync("retry", i, t => t.State = i == 6 ? TaskState.Pending : TaskState.Succeeded);
        }
        _fx.Scheduler.Drain();
        await _fx.PassAsync("retry", _fx.Dispatch);
        var retry = _fx.Scheduler.Submitted[1].Request;
        Assert.Equal("1", retry.ArrayIndexes);
        Assert.Equal("6", (await _fx.State.GetJobAsync("retry", default))!.Status.Dispatch!.Indexes);
    }
}
