using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Items;
using Coordinator.Model.Documents;
using Coordinator.Model.Loading;

namespace Coordinator.Aws.Tests.Items;

public class JobResolverTests
{
    private static Dictionary<string, AttributeValue> ItemNaming(string template) => new()
    {
        ["name"] = new() { S = "templated" },
        ["specYaml"] = new() { S = $"template: {template}\nbatching: {{maxRecords: 5}}\nhandler: {{command: [run]}}\n" },
    };

    private static readonly InMemoryTemplateSource Templates = new InMemoryTemplateSource()
        .Add("io", YamlNodes.Parse("input: {uri: \"s3://data-in/x/\"}\noutput: {uri: \"s3://data-out/x/\"}\nslurm: {partition: debug}\n", [])!);

    [Fact]
    public void Decode_alone_only_type_checks_an_item_that_names_a_template()
    {
        var job = JobItemCodec.Decode(ItemNaming("io"));

        Assert.Empty(job.DecodeErrors);
        Assert.Equal("", job.Spec.Input.Uri);
    }

    [Fact]
    public async Task An_item_naming_a_template_is_merged_and_then_validated()
    {
        var job = await JobResolver.DecodeAsync(ItemNaming("io"), Templates, CancellationToken.None);

        Assert.Empty(job.DecodeErrors);
        Assert.Equal("s3://data-in/x/", job.Spec.Input.Uri);
        Assert.Equal("debug", job.Spec.Slurm.Partition);
        Assert.Equal(5, job.Spec.Batching.MaxRecords);
    }

    [Fact]
    public async Task An_item_naming_an_unknown_template_gets_one_error_naming_it()
    {
        var job = await JobResolver.DecodeAsync(ItemNaming("nope"), Templates, CancellationToken.None);

        Assert.Equal(["spec.template (specYaml line 1, col 11): unknown template \"nope\" (no JobTemplate item with that name in the jobs table)"], job.DecodeErrors);
    }

    [Fact]
    public async Task A_merged_spec_that_is_still_incomplete_is_reported_invalid()
    {
        var templates = new InMemoryTemplateSource().Add("partial", YamlNodes.Parse("slurm: {partition: debug}\n", [])!);

        var job = await JobResolver.DecodeAsync(ItemNaming("partial"), templates, CancellationToken.None);

        Assert.Equal(["spec.input.uri (specYaml line 1, col 1): is required", "spec.output.uri (specYaml line 1, col 1): is required"], job.DecodeErrors);
    }
}
