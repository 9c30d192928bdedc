using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Items;
using Coordinator.Model.Documents;
using Coordinator.Model.Errors;
using Coordinator.Model.Loading;
using Coordinator.Model.Spec;
using Coordinator.Model.Spec.Schema;

namespace Coordinator.Aws.DynamoDb;

/// <summary>
/// JobTemplates from the jobs table: the item keyed <c>template:&lt;name&gt;</c> with kind JobTemplate. The client
/// is created on first use, so validating a spec that names no template never needs AWS. The daemon shares its
/// state store's client and passes <paramref name="ownsClient"/> = false so disposing this source leaves it open.
/// </summary>
public sealed class DynamoTemplateSource(Func<IAmazonDynamoDB> clientFactory, string jobsTable, bool ownsClient = true) : ITemplateSource, IDisposable
{
    private IAmazonDynamoDB? _client;

    public async Task<SpecNode?> GetTemplateSpecAsync(string name, CancellationToken ct)
    {
        _client ??= clientFactory();
        var response = await _client.GetItemAsync(new GetItemRequest
        {
            TableName = jobsTable,
            Key = new Dictionary<string, AttributeValue> { [JobItemCodec.Names.Name] = new() { S = JobItemCodec.TemplateItemName(name) } },
            ConsistentRead = true,
        }, ct).ConfigureAwait(false);
        if (response.Item is not { Count: > 0 } item)
        {
            return null;
        }
        if (!item.TryGetValue(JobItemCodec.Names.Kind, out var kind) || kind.S != JobSpecDefaults.TemplateKind)
        {
            throw new SpecException($"template \"{name}\": the item {JobItemCodec.TemplateItemName(name)} has no kind \"{JobSpecDefaults.TemplateKind}\"");
        }
        var ctx = new BindContext();
        var spec = JobItemCodec.ReadSpecNode(item, ctx);
        return ctx.Errors.Count == 0 ? spec
            : throw new SpecException(ctx.Errors.Select(e => e with { Path = $"template {name}: {e.Path}" }).ToList());
    }

    public void Dispose()
    {
        if (ownsClient)
        {
            _client?.Dispose();
        }
    }
}
