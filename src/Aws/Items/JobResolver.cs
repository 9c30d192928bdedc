using Amazon.DynamoDBv2.Model;
using Coordinator.Model.Loading;
using Coordinator.Model.Spec;
using Coordinator.Model.Spec.Schema;
using Coordinator.Model.Validation;

namespace Coordinator.Aws.Items;

/// <summary>
/// The daemon's way in: decode a jobs-table item and, when its spec names a template, merge the template chain in
/// and validate the result. <see cref="Job.DecodeErrors"/> holds every problem; non-empty means Invalid.
/// </summary>
public static class JobResolver
{
    public static async Task<Job> DecodeAsync(Dictionary<string, AttributeValue> item, ITemplateSource templates, CancellationToken ct)
    {
        var job = JobItemCodec.Decode(item);
        if (job.IsTemplate || job.Spec.Template is null || job.DecodeErrors.Count > 0)
        {
            return job;
        }
        var ctx = new BindContext();
        var spec = JobItemCodec.ReadSpecNode(item, ctx);
        var errors = new List<SpecError>();
        var resolved = spec is null ? null : await TemplateResolver.ResolveAsync(spec, templates, errors, ct).ConfigureAwait(false);
        if (resolved is null)
        {
            job.DecodeErrors = errors.Concat(ctx.Errors).Select(e => e.ToString()).ToList();
            return job;
        }
        job.Spec = JobSpecSchema.Bind(resolved, ctx);
        var validation = JobSpecValidator.Validate(job, JobItemCodec.Names.Name, JobItemCodec.Names.Labels);
        job.DecodeErrors = SpecErrors.Combine(ctx.Errors, validation.Select(e => ctx.SourceMap.Locate(e, null)))
            .Select(e => e.ToString()).ToList();
        return job;
    }
}
