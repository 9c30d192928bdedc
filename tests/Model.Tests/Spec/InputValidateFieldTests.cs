using Coordinator.Model.Loading;
using Coordinator.Model.Spec;

namespace Coordinator.Model.Tests.Spec;

/// <summary><c>spec.input.validate</c>: JSONL lines checked as JSON (default) or passed through raw.</summary>
public class InputValidateFieldTests
{
    private const string Minimal = """
        apiVersion: coordinator/v1
        kind: Job
        metadata: {name: v}
        spec:
          input: {uri: "s3://data-in/x/"}
          batching: {maxRecords: 10}
          handler: {command: [a]}
          output: {uri: "s3://data-out/x/"}
        """;

    private static Task<LoadResult> Load(string yaml, params string[] sets) =>
        new JobLoader(InMemoryTemplateSource.Empty).LoadTextAsync(yaml, sets, CancellationToken.None);

    private static string WithInput(string input) =>
        Minimal.Replace("input: {uri: \"s3://data-in/x/\"}", "input: {uri: \"s3://data-in/x/\", " + input + "}", StringComparison.Ordinal);

    [Fact]
    public async Task Validate_defaults_to_true_and_binds_false_from_yaml_and_from_a_set_override()
    {
        Assert.True((await Load(Minimal)).Job.Spec.Input.Validate);

        var yaml = await Load(WithInput("validate: false"));
        Assert.Empty(yaml.Errors);
        Assert.False(yaml.Job.Spec.Input.Validate);

        var set = await Load(Minimal, "input.validate=false");
        Assert.Empty(set.Errors);
        Assert.False(set.Job.Spec.Input.Validate);
    }

    [Theory]
    [InlineData("validate: \"no\"", "expected true or false")]
    [InlineData("validate: 1", "expected true or false")]
    [InlineData("validate: [true]", "expected true or false")]
    public async Task A_value_that_is_not_a_boolean_is_an_error_naming_the_field(string field, string expected)
    {
        var error = Assert.Single((await Load(WithInput(field))).Errors).ToString();

        Assert.StartsWith("spec.input.validate (line 5, col 45): ", error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public async Task A_misspelt_field_is_refused_with_a_suggestion()
    {
        var error = Assert.Single((await Load(WithInput("validat: false"))).Errors).ToString();

        Assert.Contains("spec.input.validat", error);
        Assert.Contains("validate", error);
    }

    [Fact]
    public async Task The_default_is_not_written_so_jobs_stored_before_the_field_existed_keep_their_spec_hash()
    {
        var before = (await Load(Minimal)).Job.Spec;
        Assert.DoesNotContain("validate", SpecHash.CanonicalJson(before), StringComparison.Ordinal);

        var explicitTrue = (await Load(WithInput("validate: true"))).Job.Spec;
        var raw = (await Load(WithInput("validate: false"))).Job.Spec;

        Assert.Equal(SpecHash.Compute(before), SpecHash.Compute(explicitTrue));
        Assert.NotEqual(SpecHash.Compute(before), SpecHash.Compute(raw));
        Assert.Contains("\"validate\":false", SpecHash.CanonicalJson(raw), StringComparison.Ordinal);
    }
}
