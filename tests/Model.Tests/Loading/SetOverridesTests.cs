using Coordinator.Model.Documents;
using Coordinator.Model.Loading;
using Coordinator.Model.Validation;

namespace Coordinator.Model.Tests.Loading;

public class SetOverridesTests
{
    private static MapNode Apply(string yaml, params string[] sets)
    {
        var errors = new List<SpecError>();
        var result = SetOverrides.Apply(YamlNodes.Parse(yaml, errors)!, sets, errors);
        Assert.Empty(errors);
        return (MapNode)result;
    }

    private static SpecNode At(MapNode root, string path) =>
        path.Split('.').Aggregate((SpecNode)root, (node, key) => ((MapNode)node)[key]!);

    [Fact]
    public void A_path_without_a_root_key_is_taken_to_be_under_spec()
    {
        var root = Apply("spec: {slurm: {maxConcurrent: 1}}\n", "slurm.maxConcurrent=9");

        Assert.Equal("9", ((ScalarNode)At(root, "spec.slurm.maxConcurrent")).Value);
    }

    [Fact]
    public void Metadata_paths_are_kept_as_given()
    {
        var root = Apply("metadata: {name: a}\n", "metadata.labels.team=nlp");

        Assert.Equal("nlp", ((ScalarNode)At(root, "metadata.labels.team")).Value);
        Assert.Equal("a", ((ScalarNode)At(root, "metadata.name")).Value);
    }

    [Fact]
    public void A_yaml_list_value_replaces_the_list_and_later_sets_win()
    {
        var root = Apply("spec: {handler: {command: [a, b, c]}}\n", "handler.command=[x]", "handler.command=[y, z]");

        Assert.Equal(["y", "z"], ((ListNode)At(root, "spec.handler.command")).Items.Select(i => ((ScalarNode)i).Value));
    }

    [Fact]
    public void A_value_containing_equals_signs_keeps_them()
    {
        var root = Apply("spec: {}\n", "handler.env.OPTS=a=b=c");

        Assert.Equal("a=b=c", ((ScalarNode)At(root, "spec.handler.env.OPTS")).Value);
    }

    [Theory]
    [InlineData("nonsense", "(document): --set \"nonsense\": expected path=value, e.g. --set slurm.maxConcurrent=10")]
    [InlineData("=5", "(document): --set \"=5\": expected path=value, e.g. --set slurm.maxConcurrent=10")]
    [InlineData("slurm..memory=2G", "(document): --set \"slurm..memory=2G\": the path has an empty segment")]
    [InlineData("handler.command=[a", "spec.handler.command: --set \"handler.command=[a\": the value is not valid YAML (YAML syntax error: While parsing a flow sequence, did not find expected ',' or ']')")]
    public void A_malformed_set_is_reported(string set, string message)
    {
        var errors = new List<SpecError>();
        SetOverrides.Apply(new MapNode(), [set], errors);

        Assert.Equal(message, Assert.Single(errors).ToString());
    }
}
