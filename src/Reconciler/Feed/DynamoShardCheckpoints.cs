using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.DynamoDb;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Polly;

namespace Coordinator.Reconciler.Feed;

/// <summary>
/// Shard checkpoints as items of the leases table, one per stream table and shard (KCL's lease table):
/// <c>name = checkpoint:{jobs|tasks}:{shardId}</c> with the stream ARN, the sequence number, the writer's term and
/// the time. A write is made only while the leadership guard allows side effects, and only over an item no newer term
/// wrote (<c>attribute_not_exists(name) OR term &lt;= :term</c>), so a deposed leader can never move a checkpoint its
/// successor wrote. A checkpoint of another stream (the table was re-created) is ignored on load.
/// </summary>
public sealed class DynamoShardCheckpoints(IAmazonDynamoDB client, CoordinatorOptions options, ILeadershipGuard guard, CoordinatorMetrics metrics)
    : IShardCheckpoints
{
    private readonly ResiliencePipeline _retry = DynamoResilience.CreateCallPipeline(options.DynamoDb, metrics, "checkpoint");

    /// <summary>The leases-table key of a shard's checkpoint.</summary>
    public static string ItemName(StreamTable table, string shardId) =>
        $"checkpoint:{table.ToString().ToLowerInvariant()}:{shardId}";

    public async Task<IReadOnlyDictionary<string, string>> LoadAsync(StreamTable table, string streamArn, IReadOnlyCollection<string> shardIds,
        CancellationToken ct)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var shardId in shardIds)
        {
            var response = await _retry.ExecuteAsync(async token => await client.GetItemAsync(new GetItemRequest
            {
                TableName = options.LeasesTable,
                Key = new Dictionary<string, AttributeValue> { ["name"] = new() { S = ItemName(table, shardId) } },
                ConsistentRead = true,
            }, token).ConfigureAwait(false), ct).ConfigureAwait(false);
            if (response.Item is { Count: > 0 } item
                && item.TryGetValue("streamArn", out var arn) && arn.S == streamArn
                && item.TryGetValue("sequenceNumber", out var sequence) && sequence.S is { Length: > 0 } number)
            {
                found[shardId] = number;
            }
        }
        return found;
    }

    public async Task<bool> SaveAsync(StreamTable table, string streamArn, string shardId, string sequenceNumber, CancellationToken ct)
    {
        if (!guard.MayActNow() || guard.Term is not { } term)
        {
            return false;
        }
        var request = new PutItemRequest
        {
            TableName = options.LeasesTable,
            Item = new Dictionary<string, AttributeValue>
            {
                ["name"] = new() { S = ItemName(table, shardId) },
                ["streamArn"] = new() { S = streamArn },
                ["shardId"] = new() { S = shardId },
                ["sequenceNumber"] = new() { S = sequenceNumber },
                ["term"] = new() { N = term.ToString(CultureInfo.InvariantCulture) },
                ["updatedAt"] = new() { S = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture) },
            },
            ConditionExpression = "attribute_not_exists(#name) OR #term <= :term",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#name"] = "name", ["#term"] = "term" },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":term"] = new() { N = term.ToString(CultureInfo.InvariantCulture) } },
        };
        return await DynamoResilience.TryConditionalPutAsync(client, _retry, metrics, request, ct).ConfigureAwait(false);
    }
}
