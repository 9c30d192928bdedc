using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Tests.Dispatch;
using Coordinator.Model.Status;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Controllers.Tests.Pipeline;

/// <summary>The output probe on the real file:// store (the S3 case runs on moto in SlurmPipelineTests).</summary>
public sealed class OutputProbeControllerTests : IDisposable
{
    private readonly ControllerFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private OutputProbeController Probe() => new(_fx.Worker.Store, NullLogger<OutputProbeController>.Instance);

    [Fact]
    public async Task An_output_directory_that_cannot_be_made_fails_the_job_naming_the_uri_and_leaves_nothing()
    {
        var blocker = Path.Combine(_fx.Worker.Root, "a-file");
        await File.WriteAllTextAsync(blocker, "not a directory");
        var output = new Uri(Path.Combine(blocker, "out") + "/").ToString();
        await _fx.StoredJobAsync("probe-bad", 1, s => s.Output.Uri = output);

        var (job, result) = await _fx.PassAsync("probe-bad", Probe);

        Assert.False(result.ContinuePipeline);
        Assert.Equal(JobPhase.Failed, job.Status.Phase);
        Assert.Equal("OutputNotWritable", StatusEditor.GetCondition(job.Status, ConditionTypes.Failed)?.Reason);
        Assert.StartsWith($"cannot write the job's output {output}output.jsonl: ", job.Status.Message, StringComparison.Ordinal);
        Assert.EndsWith("found before any batch ran, nothing was dispatched", job.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_writable_output_is_probed_once_per_generation_and_nothing_is_left_there()
    {
        var dir = Path.Combine(_fx.Worker.Root, "good-out");
        await _fx.StoredJobAsync("probe-good", 1, s => s.Output.Uri = new Uri(dir + "/").ToString());

        var (job, result) = await _fx.PassAsync("probe-good", Probe);

        Assert.True(result.ContinuePipeline);
        Assert.True(StatusEditor.IsTrue(job.Status, ConditionTypes.OutputWritable, job.Generation));
        Assert.Empty(Directory.GetFileSystemEntries(dir));
        Directory.Delete(dir);
        var (again, _) = await _fx.PassAsync("probe-good", Probe);
        Assert.False(Directory.Exists(dir)); // not probed again for the same generation
        Assert.NotEqual(JobPhase.Failed, again.Status.Phase);
    }
}
