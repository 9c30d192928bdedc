using Coordinator.Model.Loading;
using Coordinator.Model.Spec;
using Coordinator.Testing;

namespace Coordinator.Model.Tests.Loading;

/// <summary>handler.mode: stream in YAML: the shipped example loads, a misspelt mode names the choices.</summary>
public class StreamModeSpecTests
{
    [Fact]
    public async Task The_shipped_stream_example_loads_in_stream_mode()
    {
        var result = await new JobLoader(InMemoryTemplateSource.Empty)
            .LoadTextAsync(await File.ReadAllTextAsync(RepoFiles.Path("examples", "stream", "job.yaml")), [], CancellationToken.None);
        Assert.Empty(result.Errors);
        Assert.Equal((HandlerMode.Stream, DispatchMode.Pilot, 10L), (result.Job!.Spec.Handler.Mode, result.Job.Spec.Dispatch.Mode, result.Job.Spec.Batching.MaxRecords));
    }

    [Fact]
    public async Task A_misspelt_mode_is_an_error_that_lists_stream()
    {
        var yaml = JobLoaderTests.DesignExample.Replace("mode: stdio", "mode: streaming", StringComparison.Ordinal);
        var result = await new JobLoader(InMemoryTemplateSource.Empty).LoadTextAsync(yaml, [], CancellationToken.None);
        var error = Assert.Single(result.Errors).ToString();
        Assert.Contains("spec.handler.mode", error, StringComparison.Ordinal);
        Assert.Contains("stream", error.Replace("streaming", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
