using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Items;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Spec;

namespace Coordinator.Reconciler.Cli.Spec;

/// <summary>
/// Writes a JobTemplate item (<c>template:&lt;name&gt;</c>, kind JobTemplate). Templates have no status, so a
/// replace is a plain put; a create is conditional on the key being absent, like a job's.
/// </summary>
public static class TemplateWriter
{
    public static async Task PutAsync(IAmazonDynamoDB client, string jobsTable, Job template, bool replace, CancellationToken ct)
    {
        var request = new PutItemRequest { TableName = jobsTable, Item = JobItemCodec.EncodeNew(template) };
        if (!replace)
        {
            request.ConditionExpression = "attribute_not_exists(#name)";
            request.ExpressionAttributeNames = new Dictionary<string, string> { ["#name"] = JobItemCodec.Names.Name };
        }
        try
        {
            await client.PutItemAsync(request, ct).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            throw new ConflictException($"template \"{template.Name}\" already exists (use --replace to change it)");
        }
    }
}
