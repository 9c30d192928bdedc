using Coordinator.Model.Documents;
using Coordinator.Model.Validation;

namespace Coordinator.Model.Loading;

/// <summary>
/// <c>--set path=value</c> overrides. The path is dotted from the document root (<c>spec.slurm.maxConcurrent</c>,
/// <c>metadata.labels.team</c>); a path not starting with apiVersion, kind, metadata or spec is taken to be under
/// <c>spec</c>, so <c>--set slurm.maxConcurrent=10</c> works. The value is read as YAML, so
/// <c>--set handler.command=[python3,x.py]</c> sets a list. Overrides are applied last, with the same merge rule.
/// </summary>
public static class SetOverrides
{
    private static readonly string[] RootKeys = ["apiVersion", "kind", "metadata", "spec"];

    public static SpecNode Apply(SpecNode document, IEnumerable<string> sets, List<SpecError> errors)
    {
        var result = document;
        foreach (var set in sets)
        {
            if (Parse(set, errors) is { } overlay)
            {
                result = NodeMerge.Merge(result, overlay);
            }
        }
        return result;
    }

    /// <summary>The override as a tree of nested maps ending in the value; null (with an error) when malformed.</summary>
    public static MapNode? Parse(string set, List<SpecError> errors)
    {
        var eq = set.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            errors.Add(new SpecError("", $"--set \"{set}\": expected path=value, e.g. --set slurm.maxConcurrent=10", null, null));
            return null;
        }
        var segments = set[..eq].Trim().Split('.');
        if (segments.Any(s => s.Length == 0))
        {
            errors.Add(new SpecError("", $"--set \"{set}\": the path has an empty segment", null, null));
            return null;
        }
        if (!RootKeys.Contains(segments[0], StringComparer.Ordinal))
        {
            segments = ["spec", .. segments];
        }
        var mark = new SourceMark($"--set {set[..eq].Trim()}", 0, 0);
        var valueErrors = new List<SpecError>();
        var value = set[(eq + 1)..].Length == 0
            ? ScalarNode.String("")
            : YamlNodes.Parse(set[(eq + 1)..], valueErrors);
        if (value is null)
        {
            errors.Add(new SpecError(string.Join('.', segments), $"--set \"{set}\": the value is not valid YAML ({string.Join("; ", valueErrors.Select(e => e.Message))})", null, null));
            return null;
        }
        var node = Reposition(value, mark);
        for (var i = segments.Length - 1; i >= 0; i--)
        {
            node = new MapNode { Mark = mark }.Set(segments[i], node, mark);
        }
        return (MapNode)node;
    }

    /// <summary>Points every node of the value at the --set that gave it, so errors name it.</summary>
    private static SpecNode Reposition(SpecNode node, SourceMark mark) => node switch
    {
        ScalarNode s => new ScalarNode(s.Value, s.Kind) { Mark = mark },
        ListNode l => new ListNode(l.Items.Select(i => Reposition(i, mark))) { Mark = mark },
        MapNode m => m.Entries.Aggregate(new MapNode { Mark = mark }, (acc, kv) => acc.Set(kv.Key, Reposition(kv.Value, mark), mark)),
        _ => node,
    };
}
