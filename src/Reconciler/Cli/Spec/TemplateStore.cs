using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Items;
using Coordinator.Model.Documents;
using Coordinator.Model.Spec;
using Coordinator.Model.Spec.Schema;

namespace Coordinator.Reconciler.Cli.Spec;

/// <summary>One JobTemplate as the CLI shows it: its name (without the item's <c>template:</c> prefix), labels and spec document.</summary>
public sealed record StoredTemplate(string Name, IReadOnlyDictionary<string, string> Labels, SpecNode? Spec, IReadOnlyList<string> Problems);

/// <summary>
/// Reads and deletes JobTemplate items (<c>template:&lt;name&gt;</c>, kind JobTemplate) in the jobs table, for `get
/// templates`, `describe template` and `delete template`. Listing is a paginated Scan filtered on kind.
/// </summary>
public static class TemplateStore
{
    public static async Task<IReadOnlyList<StoredTemplate>> ListAsync(IAmazonDynamoDB client, string jobsTable, CancellationToken ct)
    {
        var templates = new List<StoredTemplate>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await client.ScanAsync(new ScanRequest
            {
                TableName = jobsTable,
                FilterExpression = "#kind = :template",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#kind"] = JobItemCodec.Names.Kind },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":template"] = new() { S = JobSpecDefaults.TemplateKind } },
                ExclusiveStartKey = start,
            }, ct).ConfigureAwait(false);
            templates.AddRange((page.Items ?? []).Select(Read));
            start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);
        templates.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return templates;
    }

    public static async Task<StoredTemplate?> GetAsync(IAmazonDynamoDB client, string jobsTable, string name, CancellationToken ct)
    {
        var response = await client.GetItemAsync(new GetItemRequest
        {
            TableName = jobsTable,
            Key = Key(name),
            ConsistentRead = true,
        }, ct).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item && IsTemplate(item) ? Read(item) : null;
    }

    /// <summary>Deletes the template item, conditional on it being one; false when there was none.</summary>
    public static async Task<bool> DeleteAsync(IAmazonDynamoDB client, string jobsTable, string name, CancellationToken ct)
    {
        try
        {
            await client.DeleteItemAsync(new DeleteItemRequest
            {
                TableName = jobsTable,
                Key = Key(name),
                ConditionExpression = "#kind = :template",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#kind"] = JobItemCodec.Names.Kind },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":template"] = new() { S = JobSpecDefaults.TemplateKind } },
            }, ct).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private static Dictionary<string, AttributeValue> Key(string name) =>
        new() { [JobItemCodec.Names.Name] = new() { S = JobItemCodec.TemplateItemName(name) } };

    private static bool IsTemplate(Dictionary<string, AttributeValue> item) =>
        item.TryGetValue(JobItemCodec.Names.Kind, out var kind) && kind.S == JobSpecDefaults.TemplateKind;

    private static StoredTemplate Read(Dictionary<string, AttributeValue> item)
    {
        var ctx = new BindContext();
        var name = item.TryGetValue(JobItemCodec.Names.Name, out var key) && key.S is { } s ? s : "";
        var labels = item.TryGetValue(JobItemCodec.Names.Labels, out var l) && l.M is { } map
            ? map.Where(kv => kv.Value.S is not null).ToDictionary(kv => kv.Key, kv => kv.Value.S, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
        var spec = JobItemCodec.ReadSpecNode(item, ctx);
        return new StoredTemplate(name.StartsWith(JobItemCodec.TemplatePrefix, StringComparison.Ordinal) ? name[JobItemCodec.TemplatePrefix.Length..] : name,
            labels, spec, ctx.Errors.Select(e => e.ToString()).ToList());
    }
}
