using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Items;
using Coordinator.Model.Documents;
using Coordinator.Model.Spec;
using Coordinator.Model.Spec.Schema;
using Coordinator.Model.Tasks;

namespace Coordinator.Reconciler.Cli.Output;

/// <summary>
/// The shape of <c>-o json</c> and <c>-o yaml</c>: a job or task as its DynamoDB item, written by the same codecs the
/// daemon uses, so the property names are the item's attribute names (camelCase) and never drift from the table.
/// A job's spec is printed resolved (templates merged, defaults explicit) whether it was stored as <c>spec</c> or
/// <c>specYaml</c>; <c>decodeErrors</c> appears only when the item could not be read cleanly.
/// </summary>
public static class ItemDocuments
{
    public static MapNode Job(Job job)
    {
        var item = JobItemCodec.EncodeNew(job);
        item[JobItemCodec.Names.Name] = new AttributeValue { S = job.Name };
        var map = ToMap(item);
        map.Set(JobItemCodec.Names.Status, Node(JobItemCodec.EncodeStatus(job.Status)));
        map.Set(JobItemCodec.Names.Generation, ScalarNode.Number(job.Generation));
        map.Set(JobItemCodec.Names.SpecHash, ScalarNode.String(job.SpecHash));
        map.Set(JobItemCodec.Names.Version, ScalarNode.Number(job.Version));
        if (job.DecodeErrors.Count > 0)
        {
            map.Set("decodeErrors", new ListNode(job.DecodeErrors.Select(ScalarNode.String)));
        }
        return map;
    }

    public static MapNode Task(JobTask task) => ToMap(TaskItemCodec.Encode(task));

    /// <summary>A list of items, as <c>{"items": [...]}</c> so a script can tell an empty list from an error.</summary>
    public static MapNode List(IEnumerable<SpecNode> items) => new MapNode().Set("items", new ListNode(items));

    /// <summary>Renders <paramref name="node"/> as JSON or YAML; table formats are the verbs' own.</summary>
    public static string Render(SpecNode node, OutputFormat format) => format switch
    {
        OutputFormat.Json => JsonDocumentWriter.Write(node),
        OutputFormat.Yaml => YamlWriter.Write(node),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "only json and yaml render documents"),
    };

    private static MapNode ToMap(Dictionary<string, AttributeValue> item) =>
        (MapNode)Node(new AttributeValue { M = item });

    private static SpecNode Node(AttributeValue value) =>
        ItemNodes.ToNode(value, "", new BindContext()) ?? ScalarNode.Null();
}
