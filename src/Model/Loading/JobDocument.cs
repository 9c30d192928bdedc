using Coordinator.Model.Documents;
using Coordinator.Model.Spec;
using Coordinator.Model.Spec.Schema;

namespace Coordinator.Model.Loading;

/// <summary>
/// The YAML document shape (<c>apiVersion</c>, <c>kind</c>, <c>metadata</c>, <c>spec</c>) ↔ Job. The spec section
/// goes through <see cref="JobSpecSchema"/> like an item's spec, so both notations bind the same way.
/// </summary>
public static class JobDocument
{
    private static readonly string[] RootFields = ["apiVersion", "kind", "metadata", "spec"];
    private static readonly string[] MetadataFields = ["name", "labels"];

    /// <summary>Binds a merged document tree; errors (types, unknown fields, missing sections) go to <paramref name="ctx"/>.</summary>
    public static Job Bind(SpecNode root, BindContext ctx)
    {
        var job = new Job();
        ctx.Visit("", root);
        if (root is not MapNode map)
        {
            ctx.Error("", root, $"expected a map with apiVersion, kind, metadata and spec, got {root.Describe()}");
            return job;
        }
        foreach (var key in map.Keys.Where(k => !RootFields.Contains(k, StringComparer.Ordinal)))
        {
            ctx.Error(key, map.KeyMark(key), key == "status"
                ? "status is written only by the daemon; remove it from the file"
                : FieldSuggestion.UnknownField(key, RootFields));
        }
        var apiVersion = Text(map, "apiVersion", ctx);
        if (apiVersion is null)
        {
            ctx.Error("apiVersion", map, $"is required (apiVersion: {JobSpecDefaults.ApiVersion})");
        }
        else if (apiVersion != JobSpecDefaults.ApiVersion)
        {
            ctx.Error("apiVersion", map["apiVersion"], $"must be \"{JobSpecDefaults.ApiVersion}\", got \"{apiVersion}\"");
        }
        var kind = Text(map, "kind", ctx);
        if (kind is null)
        {
            ctx.Error("kind", map, $"is required (kind: {JobSpecDefaults.Kind})");
        }
        else if (kind is JobSpecDefaults.Kind or JobSpecDefaults.TemplateKind)
        {
            job.Kind = kind;
        }
        else
        {
            ctx.Error("kind", map["kind"], $"must be \"{JobSpecDefaults.Kind}\" or \"{JobSpecDefaults.TemplateKind}\", got \"{kind}\"");
        }
        BindMetadata(map, job, ctx);
        if (map["spec"] is { } spec and not ScalarNode { IsNull: true })
        {
            ctx.Visit("spec", spec);
            job.Spec = JobSpecSchema.Bind(spec, ctx);
        }
        else
        {
            ctx.Error("spec", map, "is required");
        }
        return job;
    }

    /// <summary>The full document of a job, defaults explicit: what <c>coordinator plan</c> prints.</summary>
    public static MapNode Write(Job job)
    {
        var metadata = new MapNode().Set("name", ScalarNode.String(job.Name));
        if (job.Labels.Count > 0)
        {
            metadata.Set("labels", new StringMapCodec("labels").Write(job.Labels)!);
        }
        return new MapNode()
            .Set("apiVersion", ScalarNode.String(JobSpecDefaults.ApiVersion))
            .Set("kind", ScalarNode.String(job.Kind))
            .Set("metadata", metadata)
            .Set("spec", JobSpecSchema.Write(job.Spec));
    }

    private static void BindMetadata(MapNode root, Job job, BindContext ctx)
    {
        if (root["metadata"] is not { } node)
        {
            ctx.Error("metadata.name", root, "is required");
            return;
        }
        ctx.Visit("metadata", node);
        if (node is not MapNode metadata)
        {
            ctx.Error("metadata", node, $"expected a map, got {node.Describe()}");
            return;
        }
        foreach (var key in metadata.Keys.Where(k => !MetadataFields.Contains(k, StringComparer.Ordinal)))
        {
            ctx.Error($"metadata.{key}", metadata.KeyMark(key), FieldSuggestion.UnknownField(key, MetadataFields));
        }
        if (metadata["name"] is { } name)
        {
            ctx.Visit("metadata.name", name);
            if (ScalarCodecs.String.TryRead(name, "metadata.name", ctx, out var text))
            {
                job.Name = text;
            }
        }
        if (metadata["labels"] is { } labels and not ScalarNode { IsNull: true })
        {
            ctx.Visit("metadata.labels", labels);
            if (new StringMapCodec("a map of labels").TryRead(labels, "metadata.labels", ctx, out var map))
            {
                job.Labels = map;
            }
        }
    }

    private static string? Text(MapNode map, string key, BindContext ctx)
    {
        if (map[key] is not { } node || node is ScalarNode { IsNull: true })
        {
            return null;
        }
        ctx.Visit(key, node);
        return ScalarCodecs.String.TryRead(node, key, ctx, out var text) ? text : null;
    }
}
