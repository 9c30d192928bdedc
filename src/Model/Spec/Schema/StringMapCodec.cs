using Coordinator.Model.Documents;

namespace Coordinator.Model.Spec.Schema;

/// <summary>A free-form map of strings (<c>handler.env</c>, labels): any key is allowed, every value must be text.</summary>
public sealed class StringMapCodec(string description) : IValueCodec<Dictionary<string, string>>
{
    public bool TryRead(SpecNode node, string path, BindContext ctx, out Dictionary<string, string> value)
    {
        value = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is not MapNode map)
        {
            ctx.Error(path, node, Expect.Got(description, "M", node));
            return false;
        }
        var ok = true;
        foreach (var (key, item) in map.Entries)
        {
            var itemPath = $"{path}.{key}";
            ctx.Visit(itemPath, item);
            if (ScalarCodecs.String.TryRead(item, itemPath, ctx, out var text))
            {
                value[key] = text;
            }
            else
            {
                ok = false;
            }
        }
        return ok;
    }

    public SpecNode? Write(Dictionary<string, string> value)
    {
        var map = new MapNode();
        foreach (var (key, text) in value.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            map.Set(key, ScalarNode.String(text));
        }
        return map;
    }
}
