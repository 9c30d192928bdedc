using Coordinator.Controllers.Dispatch;
using CsCheck;

namespace Coordinator.Controllers.Tests.Scheduling;

public sealed class ArrayPlannerTests
{
    [Fact]
    public void Plan_SmallArrayIsOneChunkWithOffsetZero()
    {
        var chunk = Assert.Single(ArrayPlanner.Plan(Enumerable.Range(0, 10), maxArraySize: 1001, budget: 100));
        Assert.Equal(0, chunk.Offset);
        Assert.Equal("0-9", chunk.ArrayIndexes);
    }

    [Fact]
    public void Plan_SplitsOverMaxArraySizeWithRelativeIndexes()
    {
        var chunks = ArrayPlanner.Plan(Enumerable.Range(0, 25), maxArraySize: 10, budget: 1000);
        Assert.Equal(3, chunks.Count);
        Assert.Equal(["0-9", "0-9", "0-4"], chunks.Select(c => c.ArrayIndexes));
        Assert.Equal([0, 10, 20], chunks.Select(c => c.Offset));
        Assert.Equal("20-24", chunks[2].Indexes);
    }

    [Fact]
    public void Plan_TakesOnlyTheBudgetLowestIndicesFirst()
    {
        var chunks = ArrayPlanner.Plan([9, 3, 5, 1, 7], maxArraySize: 100, budget: 3);
        Assert.Equal("1,3,5", Assert.Single(chunks).Indexes);
    }

    [Fact]
    public void Plan_ZeroBudgetDispatchesNothing() => Assert.Empty(ArrayPlanner.Plan([1, 2], 100, 0));

    [Fact]
    public void Plan_HighIndicesBeyondMaxArraySizeAreShiftedBelowIt()
    {
        var chunk = Assert.Single(ArrayPlanner.Plan([5000, 5002], maxArraySize: 1001, budget: 10));
        Assert.Equal(5000, chunk.Offset);
        Assert.Equal("0,2", chunk.ArrayIndexes);
    }

    [Fact]
    public void Plan_EveryIndexAppearsOnceAndEveryArrayIndexFits() =>
        Gen.Select(Gen.Int[0, 20_000].HashSet[1, 300], Gen.Int[1, 2000], Gen.Int[0, 400]).Sample((set, max, budget) =>
        {
            var chunks = ArrayPlanner.Plan(set, max, budget);
            var covered = chunks.SelectMany(c => c.BatchIndexes).ToList();
            Assert.Equal(covered.Count, covered.Distinct().Count());
            Assert.Equal(Math.Min(budget, set.Count), covered.Count);
            Assert.Equal(set.Order().Take(budget), covered);
            Assert.All(chunks, c => Assert.All(c.BatchIndexes, i => Assert.InRange(i - c.Offset, 0, max - 1)));
        });
}
