using Coordinator.Model.Documents;
using Coordinator.Model.Validation;

namespace Coordinator.Model.Loading;

/// <summary>
/// Merges the JobTemplate chain named by <c>spec.template</c> under a spec: the template's spec is the base, the
/// job's spec the overlay (same merge rule as everywhere). A template may name another template; a name reached
/// twice is a cycle. The result keeps the job's own <c>template</c> value, so the item shows where it came from,
/// and resolving an already-resolved spec again changes nothing (the merge is idempotent).
/// </summary>
public static class TemplateResolver
{
    public const string TemplateKey = "template";

    /// <summary>The spec with its templates merged in, or null (with errors at <paramref name="specPath"/>.template).</summary>
    public static async Task<SpecNode?> ResolveAsync(SpecNode spec, ITemplateSource templates, List<SpecError> errors, CancellationToken ct, string specPath = "spec")
    {
        var chain = new List<string>();
        var bases = new List<SpecNode>();
        var current = spec;
        var path = $"{specPath}.{TemplateKey}";
        while (current is MapNode map && map[TemplateKey] is ScalarNode { Kind: ScalarKind.Plain or ScalarKind.String, Value: { } name } nameNode)
        {
            if (chain.Contains(name, StringComparer.Ordinal))
            {
                errors.Add(At(path, nameNode, $"template cycle: {string.Join(" -> ", chain.Append(name))}"));
                return null;
            }
            if (NameRules.Check(name) is { } problem)
            {
                errors.Add(At(path, nameNode, problem));
                return null;
            }
            chain.Add(name);
            var template = await templates.GetTemplateSpecAsync(name, ct).ConfigureAwait(false);
            if (template is null)
            {
                errors.Add(At(path, nameNode, chain.Count == 1
                    ? $"unknown template \"{name}\" (no JobTemplate item with that name in the jobs table)"
                    : $"unknown template \"{name}\", named by template \"{chain[^2]}\""));
                return null;
            }
            bases.Add(template);
            current = template;
        }
        if (bases.Count == 0)
        {
            return spec;
        }
        // Fold in precedence order, farthest template first: the merge is not associative where one layer has a
        // scalar and another a map at the same key, so the grouping must match the layering.
        var merged = bases[^1];
        for (var i = bases.Count - 2; i >= 0; i--)
        {
            merged = NodeMerge.Merge(merged, bases[i]);
        }
        return NodeMerge.Merge(merged, spec);
    }

    private static SpecError At(string path, SpecNode node, string message) =>
        new(path, message, node.Mark is { Line: > 0 } m ? m.Line : null, node.Mark is { Line: > 0 } c ? c.Column : null)
        { Source = node.Mark?.Source };
}
