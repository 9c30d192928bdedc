using Coordinator.Data.Partitioning;
using CsCheck;

namespace Coordinator.Controllers.Tests.Partitioning;

public sealed class BatchCutterTests
{
    [Fact]
    public void Batches_cover_every_record_once_in_order_and_respect_both_limits()
    {
        Gen.Select(Gen.Long[1, 500].List[0, 300], Gen.Long[1, 20].Nullable(), Gen.Long[600, 3000].Nullable(), Gen.Long[0, 100])
            .Where(t => t.Item2 is not null || t.Item3 is not null)
            .Sample((sizes, maxRecords, maxBytes, header) =>
            {
                var limits = new BatchLimits(maxRecords, maxBytes);
                var plan = BatchCutter.Plan(sizes, limits, header);
                long next = 0;
                foreach (var (first, count, bytes) in plan)
                {
                    Assert.Equal(next, first);
                    Assert.True(count > 0);
                    Assert.True(maxRecords is null || count <= maxRecords);
                    Assert.True(maxBytes is null || bytes <= maxBytes);
                    Assert.Equal(header + sizes.Skip((int)first).Take((int)count).Sum(), bytes);
                    next += count;
                }
                Assert.Equal(sizes.Count, next);
            });
    }

    [Fact]
    public void A_batch_is_cut_only_when_the_next_record_would_not_fit()
    {
        Gen.Select(Gen.Long[1, 100].List[1, 200], Gen.Long[100, 1000]).Sample((sizes, maxBytes) =>
        {
            var plan = BatchCutter.Plan(sizes, new BatchLimits(null, maxBytes));
            for (var i = 0; i + 1 < plan.Count; i++)
                Assert.True(plan[i].Bytes + sizes[(int)plan[i + 1].First] > maxBytes); // greedy: nothing left room
        });
    }

    [Fact]
    public void The_same_input_and_limits_always_give_the_same_batches()
    {
        var sizes = Enumerable.Range(0, 1000).Select(i => (long)(i * 7919 % 97 + 1)).ToList();
        var limits = new BatchLimits(17, 700);
        Assert.Equal(BatchCutter.Plan(sizes, limits, 5), BatchCutter.Plan(sizes, limits, 5));
    }

    [Fact]
    public void A_record_larger_than_max_bytes_with_its_header_is_too_large()
    {
        var limits = new BatchLimits(null, 100);
        Assert.False(BatchCutter.IsTooLarge(limits, 90, 10));
        Assert.True(BatchCutter.IsTooLarge(limits, 91, 10));
        Assert.True(BatchCutter.IsTooLarge(new BatchLimits(10, null), BatchLimits.HardRecordLimitBytes + 1, 0));
    }

    [Fact]
    public void Records_that_fit_honour_the_remaining_count_and_bytes()
    {
        var limits = new BatchLimits(10, 1000);
        Assert.Equal(7, BatchCutter.RecordsThatFit(limits, 3, 0, 10, 100));
        Assert.Equal(5, BatchCutter.RecordsThatFit(limits, 0, 500, 100, 100));
        Assert.Equal(0, BatchCutter.RecordsThatFit(limits, 10, 0, 1, 100));
    }

    [Fact]
    public void A_run_that_fits_as_a_whole_needs_no_cut_and_holds_no_oversized_record_one_by_one()
    {
        Gen.Select(Gen.Long[1, 300].List[1, 50], Gen.Long[1, 40].Nullable(), Gen.Long[300, 4000].Nullable(), Gen.Long[0, 30], Gen.Long[0, 20], Gen.Long[0, 1500])
            .Where(t => t.Item2 is not null || t.Item3 is not null)
            .Sample((run, maxRecords, maxBytes, batchRecords, header, extra) =>
            {
                var limits = new BatchLimits(maxRecords, maxBytes);
                long records = batchRecords, bytes = header + extra;
                if (!BatchCutter.RunFits(limits, records, bytes, run.Count, run.Sum()))
                    return;
                foreach (var size in run)
                {
                    Assert.False(BatchCutter.MustCutBefore(limits, records, bytes, size));
                    Assert.False(BatchCutter.IsTooLarge(limits, size, header));
                    records++;
                    bytes += size;
                }
            });
    }

    [Fact]
    public void A_run_does_not_fit_when_it_passes_either_limit_or_the_record_limit()
    {
        var limits = new BatchLimits(10, 1000);
        Assert.True(BatchCutter.RunFits(limits, 4, 400, 6, 600));
        Assert.False(BatchCutter.RunFits(limits, 4, 400, 7, 100));
        Assert.False(BatchCutter.RunFits(limits, 4, 400, 2, 601));
        Assert.False(BatchCutter.RunFits(new BatchLimits(1_000_000, null), 0, 0, 2, BatchLimits.HardRecordLimitBytes + 1));
    }

    [Fact]
    public void Limits_without_any_bound_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new BatchLimits(null, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLimits(0, null));
    }
}
