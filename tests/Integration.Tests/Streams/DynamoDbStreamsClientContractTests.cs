using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Coordinator.Aws;
using Coordinator.Aws.Streams;
using Coordinator.Integration.Tests.State;

namespace Coordinator.Integration.Tests.Streams;

/// <summary>Our Streams client against the Streams APIs of moto and DynamoDB Local, over loopback.</summary>
public sealed class DynamoDbStreamsClientContractTests
{
    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task Lists_describes_and_reads_a_tables_stream_with_new_and_old_images(string kind)
    {
        await using var backend = await DynamoStateStoreTests.StartAsync(kind);
        using var streams = NewClient(backend);
        var table = backend.Options.JobsTable;
        await backend.Client.PutItemAsync(table, Item("wc", "s3://in/a/"));
        await backend.Client.PutItemAsync(table, Item("wc", "s3://in/b/"));
        await backend.Client.DeleteItemAsync(table, new Dictionary<string, AttributeValue> { ["name"] = new() { S = "wc" } });

        var arn = await StreamArnAsync(streams, table);
        var shards = await AllShardsAsync(streams, arn);
        var records = new List<StreamRecord>();
        foreach (var shard in shards)
        {
            var iterator = await streams.GetShardIteratorAsync(arn, shard.ShardId, ShardIteratorType.TrimHorizon, null, default);
            var page = await streams.GetRecordsAsync(iterator, 1000, default);
            records.AddRange(page.Records);
        }

        Assert.Equal(["INSERT", "MODIFY", "REMOVE"], records.Select(r => r.EventName));
        Assert.Equal("s3://in/a/", records[0].NewImage!["spec"].M["input"].M["uri"].S);
        Assert.Null(records[0].OldImage);
        Assert.Equal("s3://in/a/", records[1].OldImage!["spec"].M["input"].M["uri"].S);
        Assert.Equal("s3://in/b/", records[1].NewImage!["spec"].M["input"].M["uri"].S);
        Assert.Null(records[2].NewImage);
        Assert.Equal("wc", records[2].Keys["name"].S);
        Assert.All(records, r => Assert.NotNull(r.ApproximateCreationDateTime));
    }

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task An_iterator_after_a_sequence_number_resumes_with_the_next_record(string kind)
    {
        await using var backend = await DynamoStateStoreTests.StartAsync(kind);
        using var streams = NewClient(backend);
        var table = backend.Options.JobsTable;
        for (var i = 0; i < 5; i++)
        {
            await backend.Client.PutItemAsync(table, Item($"job-{i}", "s3://in/"));
        }
        var arn = await StreamArnAsync(streams, table);
        var shard = (await AllShardsAsync(streams, arn)).Single(s => !s.IsClosed);
        var first = await streams.GetRecordsAsync(
            await streams.GetShardIteratorAsync(arn, shard.ShardId, ShardIteratorType.TrimHorizon, null, default), 2, default);

        var resumed = await streams.GetRecordsAsync(
            await streams.GetShardIteratorAsync(arn, shard.ShardId, ShardIteratorType.AfterSequenceNumber, first.Records[^1].SequenceNumber, default),
            100, default);

        Assert.Equal(2, first.Records.Count);
        Assert.NotNull(first.NextShardIterator);
        Assert.Equal(["job-2", "job-3", "job-4"], resumed.Records.Select(r => r.Keys["name"].S));
    }

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task Errors_carry_the_service_error_code(string kind)
    {
        await using var backend = await DynamoStateStoreTests.StartAsync(kind);
        using var streams = NewClient(backend);

        var error = await Assert.ThrowsAsync<StreamsException>(() => streams.DescribeStreamAsync(
            $"arn:aws:dynamodb:us-east-1:000000000000:table/missing-{Guid.NewGuid():N}/stream/2026-01-01T00:00:00.000", null, null, default));

        Assert.True(error.IsResourceNotFound || error.ErrorCode == "ValidationException", error.Message);
    }

    internal static DynamoDbStreamsClient NewClient(DynamoBackend backend) =>
        new(new AwsClientFactory(backend.Options), new BasicAWSCredentials("test", "test"));

    internal static async Task<string> StreamArnAsync(IDynamoDbStreams streams, string table)
    {
        var listed = await streams.ListStreamsAsync(table, null, null, default);
        return Assert.Single(listed.Streams, s => s.TableName == table).StreamArn;
    }

    internal static async Task<List<Shard>> AllShardsAsync(IDynamoDbStreams streams, string arn)
    {
        var shards = new List<Shard>();
        string? start = null;
        do
        {
            var page = await streams.DescribeStreamAsync(arn, start, 100, default);
            shards.AddRange(page.Shards);
            start = page.LastEvaluatedShardId;
        }
        while (start is not null);
        return shards;
    }

    private static Dictionary<string, AttributeValue> Item(string name, string uri) => new()
    {
        ["name"] = new() { S = name },
        ["spec"] = new() { M = new() { ["input"] = new() { M = new() { ["uri"] = new() { S = uri } } } } },
    };
}
