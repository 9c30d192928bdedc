using Coordinator.Data.Aggregation;

namespace Coordinator.Controllers.Tests.Aggregation;

public sealed class CopyPlannerTests
{
    private const long Min = 5;

    [Theory]
    [InlineData(0, 0, 5, 0L)]     // empty buffer, a result exactly one part large: copy all of it
    [InlineData(0, 2, 9, 2L)]     // after a CSV header: copy from the first output byte
    [InlineData(7, 0, 5, 0L)]     // buffer already a part large: ship it, copy all
    [InlineData(3, 0, 7, 2L)]     // a small buffer is topped up from the result first (3 + 2 = 5), the rest (5) copied
    [InlineData(1, 0, 10, 4L)]    // after a lone newline: 4 bytes streamed, 6 copied
    public void CopyFrom_StartsWhereEveryPartStaysAtLeastTheMinimum(long buffered, long position, long size, long expected)
    {
        Assert.Equal(expected, CopyPlanner.CopyFrom(buffered, position, size, Min));
    }

    [Theory]
    [InlineData(0, 0, 4)]    // a result below one part is streamed
    [InlineData(3, 0, 6)]    // topping up would leave 4 bytes to copy: too small, stream it all
    [InlineData(0, 3, 7)]    // after the header only 4 bytes are left
    [InlineData(0, 0, 0)]    // empty result
    public void CopyFrom_StreamsWhatCannotMakeAFullPart(long buffered, long position, long size)
    {
        Assert.Null(CopyPlanner.CopyFrom(buffered, position, size, Min));
    }

    [Fact]
    public void CopyFrom_RefusesANonPositiveMinimum()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CopyPlanner.CopyFrom(0, 0, 10, 0));
    }
}
