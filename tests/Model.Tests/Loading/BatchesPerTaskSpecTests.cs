using Coordinator.Model.Loading;
using Coordinator.Model.Spec;

namespace Coordinator.Model.Tests.Loading;

/// <summary>spec.dispatch.batchesPerTask in YAML: a number, "auto", the default, and what is refused.</summary>
public class BatchesPerTaskSpecTests
{
    private static Task<LoadResult> Load(string value) => new JobLoader(InMemoryTemplateSource.Empty).LoadTextAsync(
        JobLoaderTests.DesignExample.Replace("    workers: 8", $"    workers: 8\n    batchesPerTask: {value}", StringComparison.Ordinal), [], CancellationToken.None);

    [Theory]
    [InlineData("25", 25)]
    [InlineData("auto", DispatchSpec.AutoBatchesPerTask)]
    public async Task A_number_or_auto_is_read(string value, int expected)
    {
        var result = await Load(value);
        Assert.Empty(result.Errors);
        Assert.Equal(expected, result.Job!.Spec.Dispatch.BatchesPerTask);
    }

    [Fact]
    public async Task Omitted_it_is_one_batch_per_task()
    {
        var result = await new JobLoader(InMemoryTemplateSource.Empty).LoadTextAsync(JobLoaderTests.DesignExample, [], CancellationToken.None);
        Assert.Equal(1, result.Job!.Spec.Dispatch.BatchesPerTask);
    }

    [Theory]
    [InlineData("0", "spec.dispatch.batchesPerTask", "must be at least 1, or \"auto\", got 0")]
    [InlineData("many", "spec.dispatch.batchesPerTask", "expected a whole number or \"auto\", got \"many\"")]
    [InlineData("-2", "spec.dispatch.batchesPerTask", "must be between 1 and 10000, got -2")]
    [InlineData("20000", "spec.dispatch.batchesPerTask", "must be between 1 and 10000, got 20000")]
    public async Task Bad_values_are_refused_naming_the_field(string value, string field, string message)
    {
        var errors = (await Load(value)).Errors.Select(e => e.ToString()).ToList();
        var error = Assert.Single(errors);
        Assert.StartsWith(field, error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_is_left_out_of_the_canonical_form_so_stored_jobs_keep_their_hash()
    {
        Assert.Equal(SpecHash.Compute(new JobSpec()), SpecHash.Compute(new JobSpec { Dispatch = { BatchesPerTask = 1 } }));
        Assert.NotEqual(SpecHash.Compute(new JobSpec()), SpecHash.Compute(new JobSpec { Dispatch = { BatchesPerTask = 2 } }));
    }
}
