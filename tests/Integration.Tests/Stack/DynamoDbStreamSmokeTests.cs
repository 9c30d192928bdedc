using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Coordinator.Integration.Tests.Fixtures;

namespace Coordinator.Integration.Tests.Stack;

/// <summary>
/// Proves the local stack is real: an item written with the AWS CLI's put-item is read back through the SDK and
/// through the table's stream (read with the AWS CLI's dynamodbstreams commands), on moto and on DynamoDB Local.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class DynamoDbStreamSmokeTests(LocalStackFixture stack)
{
    public static TheoryData<StackTarget> Targets => new() { StackTarget.Moto, StackTarget.DynamoDbLocal };

    [SkippableTheory]
    [MemberData(nameof(Targets))]
    public async Task Item_put_with_the_aws_cli_is_readable_through_the_sdk_and_the_stream(StackTarget target)
    {
        Skip.If(target == StackTarget.DynamoDbLocal && stack.DynamoDbLocalUrl is null, stack.DynamoDbLocalUnavailableReason);
        await using var provisioned = await stack.ProvisionAsync(target);
        var table = provisioned.Options.JobsTable;
        var endpoint = provisioned.DynamoDbEndpoint;

        await AwsCli.RunJsonAsync(endpoint, "dynamodb", "put-item", "--table-name", table,
            "--item", """{"name": {"S": "smoke-1"}, "payload": {"S": "hello from the cli"}, "count": {"N": "7"}}""");

        var read = await provisioned.DynamoDb.GetItemAsync(new GetItemRequest
        {
            TableName = table,
            Key = new() { ["name"] = new AttributeValue { S = "smoke-1" } },
            ConsistentRead = true,
        });
        Assert.Equal("hello from the cli", read.Item["payload"].S);
        Assert.Equal("7", read.Item["count"].N);

        var record = await FirstStreamRecordAsync(endpoint, table);
        Assert.Equal("INSERT", record.GetProperty("eventName").GetString());
        var newImage = record.GetProperty("dynamodb").GetProperty("NewImage");
        Assert.Equal("smoke-1", newImage.GetProperty("name").GetProperty("S").GetString());
        Assert.Equal("hello from the cli", newImage.GetProperty("payload").GetProperty("S").GetString());
        Assert.Equal("NEW_AND_OLD_IMAGES", record.GetProperty("dynamodb").GetProperty("StreamViewType").GetString());
    }

    /// <summary>Follows the table's first shard from TRIM_HORIZON with the AWS CLI until a record arrives (10 s at most).</summary>
    private static async Task<JsonElement> FirstStreamRecordAsync(string endpoint, string table)
    {
        var described = await AwsCli.RunJsonAsync(endpoint, "dynamodb", "describe-table", "--table-name", table);
        var streamArn = described.GetProperty("Table").GetProperty("LatestStreamArn").GetString()!;
        var stream = await AwsCli.RunJsonAsync(endpoint, "dynamodbstreams", "describe-stream", "--stream-arn", streamArn);
        var shardId = stream.GetProperty("StreamDescription").GetProperty("Shards")[0].GetProperty("ShardId").GetString()!;
        var iterator = (await AwsCli.RunJsonAsync(endpoint, "dynamodbstreams", "get-shard-iterator", "--stream-arn", streamArn,
            "--shard-id", shardId, "--shard-iterator-type", "TRIM_HORIZON")).GetProperty("ShardIterator").GetString();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (iterator is not null && DateTime.UtcNow < deadline)
        {
            var page = await AwsCli.RunJsonAsync(endpoint, "dynamodbstreams", "get-records", "--shard-iterator", iterator);
            var records = page.GetProperty("Records");
            if (records.GetArrayLength() > 0)
            {
                return records[0];
            }
            iterator = page.TryGetProperty("NextShardIterator", out var next) ? next.GetString() : null;
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"no stream record for table {table} within 10 s (stream {streamArn})");
    }
}
