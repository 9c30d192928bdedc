using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Polly;

namespace Coordinator.Aws.DynamoDb;

/// <summary>
/// The lease item in the leases table (key <c>name</c>), read strongly consistently and written only with
/// conditions: create if absent, replace if the version is still the one read. Two daemons racing for the lease can
/// therefore never both succeed; the loser sees false and stays a follower.
/// </summary>
public sealed class DynamoLeaseStore(IAmazonDynamoDB client, CoordinatorOptions options, CoordinatorMetrics metrics)
{
    private readonly ResiliencePipeline _retry = DynamoResilience.CreateCallPipeline(options.DynamoDb, metrics, "lease");

    public async Task<LeaseRecord?> GetAsync(string name, CancellationToken ct)
    {
        var response = await _retry.ExecuteAsync(async token => await client.GetItemAsync(new GetItemRequest
        {
            TableName = options.LeasesTable,
            Key = new Dictionary<string, AttributeValue> { ["name"] = new() { S = name } },
            ConsistentRead = true,
        }, token).ConfigureAwait(false), ct).ConfigureAwait(false);
        if (response.Item is not { Count: > 0 } item)
        {
            return null;
        }
        return new LeaseRecord(
            name,
            item.TryGetValue("holder", out var holder) ? holder.S ?? "" : "",
            TimeSpan.FromMilliseconds(Number(item, "durationMs")),
            Time(item, "acquiredAt"),
            Time(item, "renewedAt"),
            Number(item, "transitions"),
            Number(item, "version"));
    }

    /// <summary>
    /// Writes <paramref name="lease"/> (with version = expectedVersion + 1) if the stored version is still
    /// <paramref name="expectedVersion"/> (0: the item must not exist). False when someone else wrote first.
    /// </summary>
    public async Task<bool> TryWriteAsync(LeaseRecord lease, long expectedVersion, CancellationToken ct)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["name"] = new() { S = lease.Name },
            ["holder"] = new() { S = lease.Holder },
            ["durationMs"] = Num((long)lease.Duration.TotalMilliseconds),
            ["acquiredAt"] = new() { S = lease.AcquiredAt.ToString("O", CultureInfo.InvariantCulture) },
            ["renewedAt"] = new() { S = lease.RenewedAt.ToString("O", CultureInfo.InvariantCulture) },
            ["transitions"] = Num(lease.Transitions),
            ["version"] = Num(expectedVersion + 1),
        };
        var request = new PutItemRequest
        {
            TableName = options.LeasesTable,
            Item = item,
            ConditionExpression = expectedVersion == 0 ? "attribute_not_exists(#name)" : "#version = :expected",
            ExpressionAttributeNames = expectedVersion == 0
                ? new Dictionary<string, string> { ["#name"] = "name" }
                : new Dictionary<string, string> { ["#version"] = "version" },
            ExpressionAttributeValues = expectedVersion == 0 ? null : new Dictionary<string, AttributeValue> { [":expected"] = Num(expectedVersion) },
        };
        return await DynamoResilience.TryConditionalPutAsync(client, _retry, metrics, request, ct).ConfigureAwait(false);
    }

    private static AttributeValue Num(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    private static long Number(Dictionary<string, AttributeValue> item, string key) =>
        item.TryGetValue(key, out var value) && long.TryParse(value.N, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static DateTimeOffset Time(Dictionary<string, AttributeValue> item, string key) =>
        item.TryGetValue(key, out var value) && DateTimeOffset.TryParse(value.S, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t)
            ? t
            : DateTimeOffset.MinValue;
}
