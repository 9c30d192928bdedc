using Coordinator.Model.Documents;
using Coordinator.Model.Loading;
using Coordinator.Model.Validation;
using Coordinator.Reconciler.Cli.Spec;

namespace Coordinator.Model.Tests.Loading;

/// <summary>extends: chains across files, and JobTemplate chains, merged lowest precedence first with cycles detected.</summary>
public sealed class ExtendsAndTemplateTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("coordinator-extends-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_dir.FullName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Job = """
        apiVersion: coordinator/v1
        kind: Job
        metadata: {name: child}
        spec:
          input: {uri: "s3://data-in/x/"}
          batching: {maxRecords: 10}
          handler: {command: [python3, child.py]}
          output: {uri: "s3://data-out/x/"}
        """;

    private static Task<LoadResult> Load(string path, ITemplateSource? templates = null, params string[] sets) =>
        new JobLoader(templates ?? InMemoryTemplateSource.Empty).LoadFileAsync(path, LocalSpecFiles.Instance, sets, CancellationToken.None);

    [Fact]
    public async Task A_three_level_extends_chain_merges_maps_and_lets_the_nearest_file_win()
    {
        Write("bases/root.yaml", "spec:\n  slurm: {partition: root, memory: 1G, maxConcurrent: 5}\n  handler: {command: [root], timeout: 1h}\n");
        Write("bases/mid.yaml", "extends: root.yaml\nspec:\n  slurm: {memory: 2G}\n  retry: {maxAttempts: 7}\n");
        var child = Write("job.yaml", "extends: bases/mid.yaml\n" + Job);

        var result = await Load(child);

        Assert.Empty(result.Errors);
        var spec = result.Job.Spec;
        Assert.Equal("root", spec.Slurm.Partition);
        Assert.Equal("2G", spec.Slurm.Memory);
        Assert.Equal(5, spec.Slurm.MaxConcurrent);
        Assert.Equal(7, spec.Retry.MaxAttempts);
        Assert.Equal(TimeSpan.FromHours(1), spec.Handler.Timeout);
        Assert.Equal(["python3", "child.py"], spec.Handler.Command);
    }

    [Fact]
    public async Task An_extends_cycle_is_reported_with_the_whole_chain()
    {
        Write("a.yaml", "extends: b.yaml\nspec: {}\n");
        Write("b.yaml", "extends: a.yaml\nspec: {}\n");
        var child = Write("job.yaml", "extends: a.yaml\n" + Job);

        var result = await Load(child);

        Assert.Equal(["extends (b.yaml line 1, col 10): extends cycle: job.yaml -> a.yaml -> b.yaml -> a.yaml"], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public async Task A_missing_extends_file_is_reported_where_it_is_named()
    {
        var child = Write("job.yaml", "extends: ./nope.yaml\n" + Job);

        var result = await Load(child);

        var error = Assert.Single(result.Errors);
        Assert.Equal("extends", error.Path);
        Assert.Equal(1, error.Line);
        Assert.StartsWith("cannot read \"./nope.yaml\" (", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("nope.yaml): file not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_in_a_base_file_names_that_file()
    {
        Write("base.yaml", "spec:\n  slurm: {maxConcurrent: 0}\n");
        var child = Write("job.yaml", "extends: base.yaml\n" + Job);

        var result = await Load(child);

        Assert.Equal(["spec.slurm.maxConcurrent (base.yaml line 2, col 26): must be between 1 and 100000, got 0"], result.Errors.Select(e => e.ToString()));
    }

    private static SpecNode Yaml(string text) => YamlNodes.Parse(text, [])!;

    [Fact]
    public async Task A_template_chain_is_merged_under_the_job_and_the_job_keeps_its_template_name()
    {
        var templates = new InMemoryTemplateSource()
            .Add("base", Yaml("slurm: {partition: base, memory: 1G}\nretry: {maxAttempts: 9}\n"))
            .Add("gpu", Yaml("template: base\nslurm: {gres: \"gpu:1\", memory: 8G}\n"));
        var child = Write("job.yaml", Job.Replace("spec:\n", "spec:\n  template: gpu\n", StringComparison.Ordinal));

        var result = await Load(child, templates);

        Assert.Empty(result.Errors);
        Assert.Equal("gpu", result.Job.Spec.Template);
        Assert.Equal("base", result.Job.Spec.Slurm.Partition);
        Assert.Equal("gpu:1", result.Job.Spec.Slurm.Gres);
        Assert.Equal("8G", result.Job.Spec.Slurm.Memory);
        Assert.Equal(9, result.Job.Spec.Retry.MaxAttempts);
    }

    [Fact]
    public async Task A_template_cycle_is_reported_with_the_chain()
    {
        var templates = new InMemoryTemplateSource()
            .Add("a", Yaml("template: b\n"))
            .Add("b", Yaml("template: a\n"));
        var child = Write("job.yaml", Job.Replace("spec:\n", "spec:\n  template: a\n", StringComparison.Ordinal));

        var result = await Load(child, templates);

        Assert.Equal(["spec.template (line 1, col 11): template cycle: a -> b -> a"], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public async Task An_unknown_template_is_the_only_error_even_though_fields_it_would_give_are_missing()
    {
        var child = Write("job.yaml", "apiVersion: coordinator/v1\nkind: Job\nmetadata: {name: x}\nspec:\n  template: base-cpu\n");

        var result = await Load(child);

        Assert.Equal(["spec.template (line 5, col 13): unknown template \"base-cpu\" (no JobTemplate item with that name in the jobs table)"],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public async Task A_template_file_is_valid_without_the_fields_a_job_requires()
    {
        var file = Write("template.yaml", "apiVersion: coordinator/v1\nkind: JobTemplate\nmetadata: {name: base-cpu}\nspec:\n  slurm: {partition: debug}\n");

        var result = await Load(file);

        Assert.Empty(result.Errors);
        Assert.True(result.Job.IsTemplate);
    }

    [Fact]
    public async Task Resolving_a_resolved_spec_again_changes_nothing()
    {
        var templates = new InMemoryTemplateSource().Add("base", Yaml("slurm: {partition: base}\nretry: {rules: [{action: Ignore, onExitCodes: [3]}]}\n"));
        var spec = Yaml("template: base\nretry: {maxAttempts: 2}\n");
        var errors = new List<SpecError>();

        var once = await TemplateResolver.ResolveAsync(spec, templates, errors, CancellationToken.None);
        var twice = await TemplateResolver.ResolveAsync(once!, templates, errors, CancellationToken.None);

        Assert.Empty(errors);
        Assert.Equal(YamlWriter.Write(once!), YamlWriter.Write(twice!));
    }
}
