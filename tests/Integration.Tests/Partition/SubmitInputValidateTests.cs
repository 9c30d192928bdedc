using Coordinator.Aws.Items;
using Coordinator.Integration.Tests.Cli;
using Coordinator.Integration.Tests.Fixtures;

namespace Coordinator.Integration.Tests.Partition;

/// <summary><c>spec.input.validate</c> through <c>coordinator submit</c> (a separate process) into the job item on moto.</summary>
[Collection(LocalStackCollection.Name)]
public sealed class SubmitInputValidateTests(LocalStackFixture fixture) : IAsyncLifetime
{
    private CliStack _cli = null!;

    public async Task InitializeAsync() => _cli = await CliStack.CreateAsync(fixture);

    public async Task DisposeAsync() => await _cli.DisposeAsync();

    [Fact]
    public async Task Submit_stores_validate_false_from_a_set_override_and_leaves_the_default_unwritten()
    {
        (await _cli.RunAsync("submit", "-f", await _cli.JobFileAsync("raw-lines"), "--set", "spec.input.validate=false")).EnsureSuccess();
        (await _cli.RunAsync("submit", "-f", await _cli.JobFileAsync("checked-lines"))).EnsureSuccess();

        var raw = await _cli.GetItemAsync("raw-lines");
        Assert.False(raw["spec"].M["input"].M["validate"].BOOL);
        Assert.False(JobItemCodec.Decode(raw).Spec.Input.Validate);
        var checkedItem = await _cli.GetItemAsync("checked-lines");
        Assert.False(checkedItem["spec"].M["input"].M.ContainsKey("validate"));
        Assert.True(JobItemCodec.Decode(checkedItem).Spec.Input.Validate);
    }

    [Fact]
    public async Task Submit_refuses_a_validate_that_is_not_a_boolean_naming_the_field_and_stores_nothing()
    {
        var result = await _cli.RunAsync("submit", "-f", await _cli.JobFileAsync("bad-validate"), "--set", "spec.input.validate=sometimes");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("spec.input.validate", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("expected true or false", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(await _cli.GetItemAsync("bad-validate"));
    }
}
