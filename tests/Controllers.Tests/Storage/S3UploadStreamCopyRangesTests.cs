using Coordinator.Aws.S3;

namespace Coordinator.Controllers.Tests.Storage;

/// <summary>How a server-side copy is cut into parts (pure); the copies themselves run against moto in Integration.Tests.</summary>
public sealed class S3UploadStreamCopyRangesTests
{
    [Fact]
    public void CopyRanges_ARangeWithinTheLimitIsOnePart()
    {
        Assert.Equal([(100L, 10_099L)], S3UploadStream.CopyRanges(100, 10_000, S3UploadStream.MaxCopyPartSize));
    }

    [Fact]
    public void CopyRanges_ARangeOverTheLimitIsCutIntoEqualContiguousPartsWithinIt()
    {
        const long Max = 5L * 1024 * 1024 * 1024;
        var length = 2 * Max + 1;
        var ranges = S3UploadStream.CopyRanges(7, length, Max).ToList();
        Assert.Equal(3, ranges.Count);
        Assert.Equal(7, ranges[0].First);
        Assert.Equal(7 + length - 1, ranges[^1].Last);
        for (var i = 1; i < ranges.Count; i++)
        {
            Assert.Equal(ranges[i - 1].Last + 1, ranges[i].First);
        }
        Assert.All(ranges, r => Assert.InRange(r.Last - r.First + 1, S3UploadStream.MinPartSize, Max));
    }
}
