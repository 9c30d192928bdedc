using Coordinator.Aws.Items;
using Coordinator.Model.Status;

namespace Coordinator.Aws.Tests.Items;

public class PartitionProgressCodecTests
{
    [Fact]
    public void Status_partition_progress_round_trips_through_the_status_map()
    {
        var at = new DateTimeOffset(2026, 12, 7, 21, 0, 0, TimeSpan.Zero);
        var status = new JobStatus
        {
            Phase = JobPhase.Partitioning,
            Partition = new PartitionProgress
            {
                BatchesCut = 12, BytesRead = 3_000_000_000, BytesTotal = 7_500_000_000, Objects = 3,
                StartedAt = at, UpdatedAt = at.AddSeconds(42),
            },
        };

        var encoded = StatusItemCodec.Encode(status);
        var map = encoded.M["partition"].M;
        Assert.Equal("12", map["batchesCut"].N);
        Assert.Equal("3000000000", map["bytesRead"].N);
        Assert.Equal("7500000000", map["bytesTotal"].N);

        var decoded = StatusItemCodec.Decode(encoded).Partition!;
        Assert.Equal(12, decoded.BatchesCut);
        Assert.Equal(3_000_000_000, decoded.BytesRead);
        Assert.Equal(7_500_000_000, decoded.BytesTotal);
        Assert.Equal(3, decoded.Objects);
        Assert.Equal(at, decoded.StartedAt);
        Assert.Equal(at.AddSeconds(42), decoded.UpdatedAt);
        Assert.Equal(0.4, decoded.Fraction, 3);
    }

    [Fact]
    public void A_status_without_a_partition_pass_has_no_partition_attribute()
    {
        var encoded = StatusItemCodec.Encode(new JobStatus { Phase = JobPhase.Running });
        Assert.False(encoded.M.ContainsKey("partition"));
        Assert.Null(StatusItemCodec.Decode(encoded).Partition);
    }
}
