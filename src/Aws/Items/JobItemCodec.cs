using Amazon.DynamoDBv2.Model;
using Coordinator.Model.Documents;
using Coordinator.Model.Errors;
using Coordinator.Model.Spec;
using Coordinator.Model.Spec.Schema;
using Coordinator.Model.Status;
using Coordinator.Model.Validation;

namespace Coordinator.Aws.Items;

/// <summary>
/// Job ↔ jobs-table item. Users write <c>name</c> plus <c>spec</c> (a map with the YAML field names) or
/// <c>specYaml</c> (the <c>spec:</c> body as a YAML string); both decode to the same JobSpec. The daemon owns
/// <c>status</c>, <c>version</c>, <c>generation</c>, <c>specHash</c> and <c>leaderTerm</c>.
/// JobTemplates live in the same table under the key <c>template:&lt;name&gt;</c> with <c>kind = "JobTemplate"</c>:
/// ':' cannot occur in a job name, so a template can never collide with a job, and the daemon skips them by kind.
/// </summary>
public static class JobItemCodec
{
    public static class Names
    {
        public const string Name = "name";
        public const string Kind = "kind";
        public const string Labels = "labels";
        public const string Spec = "spec";
        public const string SpecYaml = "specYaml";
        public const string Status = "status";
        public const string Version = "version";
        public const string Generation = "generation";
        public const string SpecHash = "specHash";
        public const string LeaderTerm = "leaderTerm";
        public const string ReconcileRequestedAt = "reconcileRequestedAt";
    }

    public const string TemplatePrefix = "template:";

    /// <summary>The jobs-table key of the template named <paramref name="templateName"/>.</summary>
    public static string TemplateItemName(string templateName) => TemplatePrefix + templateName;

    /// <summary>
    /// Never throws: every problem (wrong DynamoDB types, unknown fields, bad specYaml, invalid values) is recorded
    /// in <see cref="Job.DecodeErrors"/> with its path, and what could be read is kept. A spec that names a
    /// <c>template</c> is only type-checked here; JobResolver validates it after merging the template in.
    /// </summary>
    public static Job Decode(Dictionary<string, AttributeValue> item)
    {
        var ctx = new BindContext();
        var job = new Job();
        DecodeIdentity(item, job, ctx);
        var specNode = ReadSpecNode(item, ctx);
        if (specNode is not null)
        {
            job.Spec = JobSpecSchema.Bind(specNode, ctx);
        }
        DecodeDaemonFields(item, job, ctx);

        var validation = specNode is not null && job.Spec.Template is null && !job.IsTemplate
            ? JobSpecValidator.Validate(job, Names.Name, Names.Labels)
            : NameOnly(job);
        var errors = SpecErrors.Combine(ctx.Errors, validation.Select(e => ctx.SourceMap.Locate(e, null)));
        job.DecodeErrors = errors.Select(e => e.ToString()).ToList();
        return job;
    }

    /// <summary>
    /// The item's spec as a document tree (from <c>spec</c> or <c>specYaml</c>), for merging with templates.
    /// Null, with errors in <paramref name="ctx"/>, when there is none or it cannot be read.
    /// </summary>
    public static SpecNode? ReadSpecNode(Dictionary<string, AttributeValue> item, BindContext ctx)
    {
        item.TryGetValue(Names.Spec, out var spec);
        item.TryGetValue(Names.SpecYaml, out var specYaml);
        if (spec is not null && specYaml is not null)
        {
            ctx.Error(Names.Spec, (SourceMark?)null, "give either spec (a map) or specYaml (a string), not both");
            return null;
        }
        if (spec is null && specYaml is null)
        {
            ctx.Error(Names.Spec, (SourceMark?)null, "is required: a map (M), or specYaml as a YAML string (S)");
            return null;
        }
        if (spec is not null)
        {
            if (spec.M is null)
            {
                ctx.Error(Names.Spec, (SourceMark?)null, $"expected a map (M), got {AttributeReader.Describe(spec)}");
                return null;
            }
            return ItemNodes.ToNode(spec, Names.Spec, ctx);
        }
        if (specYaml!.S is null)
        {
            ctx.Error(Names.SpecYaml, (SourceMark?)null, $"expected a YAML string (S), got {AttributeReader.Describe(specYaml)}");
            return null;
        }
        var yamlErrors = new List<SpecError>();
        var node = YamlNodes.Parse(specYaml.S, yamlErrors, source: Names.SpecYaml, pathPrefix: Names.Spec);
        foreach (var error in yamlErrors)
        {
            ctx.Add(error with { Path = error.Path.Length == 0 ? Names.SpecYaml : error.Path });
        }
        return node;
    }

    /// <summary>A new job's item: name, kind, labels and the full spec (defaults explicit). No status, no version.</summary>
    public static Dictionary<string, AttributeValue> EncodeNew(Job job)
    {
        var item = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            [Names.Name] = new() { S = job.IsTemplate ? TemplateItemName(job.Name) : job.Name },
            [Names.Kind] = new() { S = job.Kind },
            [Names.Spec] = EncodeSpec(job.Spec),
        };
        if (job.Labels.Count > 0)
        {
            item[Names.Labels] = new AttributeValue
            {
                M = job.Labels.ToDictionary(kv => kv.Key, kv => new AttributeValue { S = kv.Value }, StringComparer.Ordinal),
            };
        }
        return item;
    }

    public static AttributeValue EncodeSpec(JobSpec spec) => ItemNodes.ToAttribute(JobSpecSchema.Write(spec));

    public static AttributeValue EncodeStatus(JobStatus s) => StatusItemCodec.Encode(s);

    /// <summary>Throws <see cref="ItemFormatException"/> when the value is not a status map.</summary>
    public static JobStatus DecodeStatus(AttributeValue v) => StatusItemCodec.Decode(v);

    private static IEnumerable<SpecError> NameOnly(Job job) =>
        NameRules.Check(job.Name) is { } problem ? [new SpecError(Names.Name, problem, null, null)] : [];

    private static void DecodeIdentity(Dictionary<string, AttributeValue> item, Job job, BindContext ctx)
    {
        if (item.TryGetValue(Names.Kind, out var kind) && kind.NULL != true)
        {
            if (kind.S is JobSpecDefaults.Kind or JobSpecDefaults.TemplateKind)
            {
                job.Kind = kind.S;
            }
            else
            {
                ctx.Error(Names.Kind, (SourceMark?)null,
                    $"must be \"{JobSpecDefaults.Kind}\" or \"{JobSpecDefaults.TemplateKind}\", got {AttributeReader.Describe(kind)}");
            }
        }
        if (!item.TryGetValue(Names.Name, out var name))
        {
            ctx.Error(Names.Name, (SourceMark?)null, "is required");
        }
        else if (name.S is null)
        {
            ctx.Error(Names.Name, (SourceMark?)null, $"expected a string (S), got {AttributeReader.Describe(name)}");
        }
        else if (job.IsTemplate)
        {
            if (name.S.StartsWith(TemplatePrefix, StringComparison.Ordinal))
            {
                job.Name = name.S[TemplatePrefix.Length..];
            }
            else
            {
                ctx.Error(Names.Name, (SourceMark?)null, $"a JobTemplate's name must start with \"{TemplatePrefix}\", got \"{name.S}\"");
            }
        }
        else
        {
            job.Name = name.S;
        }
        if (item.TryGetValue(Names.Labels, out var labels) && labels.NULL != true)
        {
            var node = ItemNodes.ToNode(labels, Names.Labels, ctx);
            if (node is not null && new StringMapCodec("a map of strings").TryRead(node, Names.Labels, ctx, out var map))
            {
                job.Labels = map;
            }
        }
    }

    private static void DecodeDaemonFields(Dictionary<string, AttributeValue> item, Job job, BindContext ctx)
    {
        var r = new AttributeReader(item, "");
        Guard(ctx, () => job.Version = r.Long(Names.Version));
        Guard(ctx, () => job.Generation = r.Long(Names.Generation));
        Guard(ctx, () => job.SpecHash = r.String(Names.SpecHash));
        // Only a wake-up stamp: a value of another type is ignored, never an error that would make the job Invalid.
        job.ReconcileRequestedAt = item.TryGetValue(Names.ReconcileRequestedAt, out var requested) ? requested.S ?? "" : "";
        if (item.TryGetValue(Names.LeaderTerm, out var term) && term.N is not null)
        {
            Guard(ctx, () => job.LeaderTerm = r.Long(Names.LeaderTerm));
        }
        if (item.TryGetValue(Names.Status, out var status) && status.NULL != true)
        {
            Guard(ctx, () => job.Status = StatusItemCodec.Decode(status));
        }
    }

    private static void Guard(BindContext ctx, Action read)
    {
        try
        {
            read();
        }
        catch (ItemFormatException ex)
        {
            var colon = ex.Message.IndexOf(": ", StringComparison.Ordinal);
            ctx.Error(colon > 0 ? ex.Message[..colon] : "", (SourceMark?)null, colon > 0 ? ex.Message[(colon + 2)..] : ex.Message);
        }
    }
}
