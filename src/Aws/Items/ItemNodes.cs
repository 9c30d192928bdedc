using Amazon.DynamoDBv2.Model;
using Coordinator.Model.Documents;
using Coordinator.Model.Spec.Schema;

namespace Coordinator.Aws.Items;

/// <summary>
/// DynamoDB AttributeValue ↔ document tree. Items carry their own types (S, N, BOOL, NULL, M, L), so scalars keep
/// them and type errors can be reported in DynamoDB's terms. String and number sets are read as lists marked as sets (unordered: an argv refuses them); binary is
/// rejected, as nothing in a spec is binary.
/// </summary>
public static class ItemNodes
{
    public static SpecNode? ToNode(AttributeValue value, string path, BindContext ctx)
    {
        if (value.S is not null)
        {
            return new ScalarNode(value.S, ScalarKind.String) { Dialect = NodeDialect.Item };
        }
        if (value.N is not null)
        {
            return new ScalarNode(value.N, ScalarKind.Number) { Dialect = NodeDialect.Item };
        }
        if (value.BOOL is { } b)
        {
            return new ScalarNode(b ? "true" : "false", ScalarKind.Bool) { Dialect = NodeDialect.Item };
        }
        if (value.NULL == true)
        {
            return new ScalarNode(null, ScalarKind.Null) { Dialect = NodeDialect.Item };
        }
        if (value.M is not null)
        {
            var map = new MapNode { Dialect = NodeDialect.Item };
            foreach (var (key, item) in value.M)
            {
                if (ToNode(item, $"{path}.{key}", ctx) is { } node)
                {
                    map.Set(key, node);
                }
            }
            return map;
        }
        if (value.L is not null)
        {
            var list = new ListNode { Dialect = NodeDialect.Item };
            for (var i = 0; i < value.L.Count; i++)
            {
                if (ToNode(value.L[i], $"{path}[{i}]", ctx) is { } node)
                {
                    list.Items.Add(node);
                }
            }
            return list;
        }
        if (value.SS is not null)
        {
            return new ListNode(value.SS.Select(s => new ScalarNode(s, ScalarKind.String) { Dialect = NodeDialect.Item })) { Dialect = NodeDialect.Item, SetType = "SS" };
        }
        if (value.NS is not null)
        {
            return new ListNode(value.NS.Select(s => new ScalarNode(s, ScalarKind.Number) { Dialect = NodeDialect.Item })) { Dialect = NodeDialect.Item, SetType = "NS" };
        }
        ctx.Error(path, (SourceMark?)null, value.B is not null || value.BS is not null
            ? "binary attributes (B, BS) are not allowed in a job item"
            : "attribute value has no type (expected one of S, N, BOOL, NULL, M, L)");
        return null;
    }

    /// <summary>Writes a tree as an AttributeValue. YAML plain scalars are typed the way YAML 1.2's core schema would.</summary>
    public static AttributeValue ToAttribute(SpecNode node) => node switch
    {
        MapNode map => new AttributeValue { M = map.Entries.ToDictionary(kv => kv.Key, kv => ToAttribute(kv.Value), StringComparer.Ordinal) },
        ListNode list => new AttributeValue { L = list.Items.Select(ToAttribute).ToList() },
        ScalarNode s => ScalarToAttribute(PlainScalars.Resolve(s)),
        _ => throw new ArgumentOutOfRangeException(nameof(node), node.GetType().Name, "unknown node type"),
    };

    private static AttributeValue ScalarToAttribute(ScalarNode s) => s.Kind switch
    {
        ScalarKind.Number => new AttributeValue { N = s.Value },
        ScalarKind.Bool => new AttributeValue { BOOL = s.Value == "true" },
        ScalarKind.Null => new AttributeValue { NULL = true },
        _ => new AttributeValue { S = s.Value },
    };
}
