using Coordinator.Model.Documents;

namespace Coordinator.Model.Spec.Schema;

/// <summary>The wording of type errors, in the dialect of the node that was wrong.</summary>
internal static class Expect
{
    public static string Got(string what, string itemType, SpecNode node) =>
        node.Dialect == NodeDialect.Item
            ? $"expected {what} ({itemType}), got {node.Describe()}"
            : $"expected {what}, got {node.Describe()}";

    /// <summary>True for scalars written as text: YAML plain or quoted, or DynamoDB S.</summary>
    public static bool IsText(SpecNode node, out string text)
    {
        if (node is ScalarNode { Kind: ScalarKind.Plain or ScalarKind.String } s)
        {
            text = s.Value!;
            return true;
        }
        text = "";
        return false;
    }

    /// <summary>True for scalars that may hold a number: YAML plain or DynamoDB N.</summary>
    public static bool IsNumeric(SpecNode node, out string text)
    {
        if (node is ScalarNode { Kind: ScalarKind.Plain or ScalarKind.Number } s)
        {
            text = s.Value!;
            return true;
        }
        text = "";
        return false;
    }
}
