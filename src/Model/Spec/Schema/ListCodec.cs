using Coordinator.Model.Documents;

namespace Coordinator.Model.Spec.Schema;

/// <summary>
/// A list whose elements share one codec; each element's errors carry its index (<c>command[1]</c>). An
/// <paramref name="ordered"/> list refuses a DynamoDB set (SS/NS), whose members come back in no fixed order.
/// </summary>
public sealed class ListCodec<T>(IValueCodec<T> element, string description, bool ordered = false) : IValueCodec<List<T>>
{
    public bool TryRead(SpecNode node, string path, BindContext ctx, out List<T> value)
    {
        value = [];
        if (node is not ListNode list)
        {
            ctx.Error(path, node, Expect.Got(description, "L", node));
            return false;
        }
        if (ordered && list.SetType is not null)
        {
            ctx.Error(path, node, Expect.Got(description, "L", node) + ": a set has no order, so write the list as L");
            return false;
        }
        var ok = true;
        for (var i = 0; i < list.Items.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            var item = list.Items[i];
            ctx.Visit(itemPath, item);
            if (item is ScalarNode { IsNull: true })
            {
                ctx.Error(itemPath, item, "must not be null");
                ok = false;
            }
            else if (element.TryRead(item, itemPath, ctx, out var v))
            {
                value.Add(v);
            }
            else
            {
                ok = false;
            }
        }
        return ok;
    }

    public SpecNode? Write(List<T> value) => new ListNode(value.Select(v => element.Write(v) ?? ScalarNode.Null()));
}
