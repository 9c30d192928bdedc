using Coordinator.Model.Documents;
using Coordinator.Model.Spec;
using Coordinator.Model.Spec.Schema;
using Coordinator.Model.Validation;

namespace Coordinator.Model.Loading;

/// <summary>
/// The YAML path into the model, in the order that decides who wins: templates (lowest), then the <c>extends:</c>
/// chain, then the file itself, then <c>--set</c> overrides (highest). Then binding (types, unknown fields) and
/// validation (required fields, ranges, formats), all errors reported together with line and column.
/// </summary>
/// <param name="templates">Where <c>spec.template</c> names are looked up.</param>
public sealed class JobLoader(ITemplateSource templates)
{
    /// <summary>Loads the job file at <paramref name="path"/> and its <c>extends:</c> chain, read through <paramref name="files"/>.</summary>
    public async Task<LoadResult> LoadFileAsync(string path, ISpecFiles files, IReadOnlyList<string> sets, CancellationToken ct)
    {
        var errors = new List<SpecError>();
        var document = ExtendsResolver.Load(path, files, errors);
        if (document is null)
        {
            return new LoadResult(new Job(), null, errors);
        }
        return await ResolveAsync(document, sets, errors, ct).ConfigureAwait(false);
    }

    /// <summary>Loads YAML text that has no file (no <c>extends</c> allowed relative to a directory other than the current one).</summary>
    public async Task<LoadResult> LoadTextAsync(string yaml, IReadOnlyList<string> sets, CancellationToken ct)
    {
        var errors = new List<SpecError>();
        var document = YamlNodes.Parse(yaml, errors);
        if (document is null)
        {
            return new LoadResult(new Job(), null, errors);
        }
        return await ResolveAsync(document, sets, errors, ct).ConfigureAwait(false);
    }

    private async Task<LoadResult> ResolveAsync(SpecNode document, IReadOnlyList<string> sets, List<SpecError> errors, CancellationToken ct)
    {
        document = SetOverrides.Apply(document, sets, errors);
        var isTemplate = document is MapNode m && m["kind"] is ScalarNode { Value: JobSpecDefaults.TemplateKind };
        var templateMissing = false;
        if (!isTemplate && document is MapNode root && root["spec"] is MapNode spec)
        {
            var resolved = await TemplateResolver.ResolveAsync(spec, templates, errors, ct).ConfigureAwait(false);
            if (resolved is not null)
            {
                root.Set("spec", resolved, root.KeyMark("spec"));
            }
            templateMissing = resolved is null;
        }
        var ctx = new BindContext();
        var job = JobDocument.Bind(document, ctx);
        // A template is partial by design, and a spec whose template could not be merged would only report the
        // fields the template should have given: check names only.
        var validation = job.IsTemplate || templateMissing
            ? NameRules.Check(job.Name) is { } p ? [new SpecError("metadata.name", p, null, null)] : []
            : JobSpecValidator.Validate(job);
        var all = SpecErrors.Combine([.. errors, .. ctx.Errors], validation.Select(e => ctx.SourceMap.Locate(e, null)));
        // Reading order: errors with a position by line and column, then those without, each group stable.
        var ordered = all.OrderBy(e => e.Source is null ? 0 : 1).ThenBy(e => e.Line ?? int.MaxValue).ThenBy(e => e.Column ?? 0).ToList();
        return new LoadResult(job, document, ordered);
    }
}
