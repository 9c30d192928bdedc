namespace Coordinator.Model.Documents;

/// <summary>
/// The one merge rule for templates, <c>extends:</c> bases and <c>--set</c> overrides: maps merge deeply, key by key;
/// lists and scalars in the overlay replace the base's whole value. An explicit null in the overlay replaces too,
/// which resets a field to its default. The result shares no nodes with its inputs.
/// </summary>
public static class NodeMerge
{
    public static SpecNode Merge(SpecNode? baseNode, SpecNode overlay)
    {
        if (baseNode is not MapNode baseMap || overlay is not MapNode overlayMap)
        {
            return overlay.DeepClone();
        }
        // Keys keep the base's order, new keys follow; positions are the overlay's where it spoke.
        var result = new MapNode { Mark = overlayMap.Mark ?? baseMap.Mark, Dialect = overlayMap.Dialect };
        foreach (var (key, value) in baseMap.Entries)
        {
            var over = overlayMap[key];
            result.Set(key, over is null ? value.DeepClone() : Merge(value, over), overlayMap.KeyMark(key) ?? baseMap.KeyMark(key));
        }
        foreach (var (key, value) in overlayMap.Entries)
        {
            if (!baseMap.ContainsKey(key))
            {
                result.Set(key, value.DeepClone(), overlayMap.KeyMark(key));
            }
        }
        return result;
    }
}
