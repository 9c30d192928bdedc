using Coordinator.Controllers.Dispatch;
using CsCheck;

namespace Coordinator.Controllers.Tests.Scheduling;

public sealed class IndexRangesTests
{
    [Fact]
    public void Parse_ExpandsRangesAndSinglesSortedAndDistinct() =>
        Assert.Equal([0, 1, 2, 3, 7], IndexRanges.Parse("7,0-3,2"));

    [Fact]
    public void Parse_EmptyStringIsNoIndices() => Assert.Empty(IndexRanges.Parse(""));

    [Fact]
    public void Format_CollapsesRunsIntoRanges() =>
        Assert.Equal("0-3,7,9-10", IndexRanges.Format([10, 9, 7, 3, 2, 1, 0, 2]));

    [Fact]
    public void Format_OfNothingIsEmpty() => Assert.Equal("", IndexRanges.Format([]));

    [Theory]
    [InlineData("1,,2")]
    [InlineData("a-3")]
    [InlineData("5-2")]
    [InlineData("-1")]
    [InlineData("1-2-3")]
    public void Parse_RejectsMalformedInputNamingIt(string bad)
    {
        var error = Assert.Throws<FormatException>(() => IndexRanges.Parse(bad));
        Assert.Contains(bad, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatThenParse_RoundTripsAnySetOfIndices() =>
        Gen.Int[0, 5000].HashSet[0, 200].Sample(set =>
        {
            var parsed = IndexRanges.Parse(IndexRanges.Format(set));
            Assert.Equal(set.Order(), parsed);
        });
}
