using Coordinator.Model.Loading;
using Coordinator.Model.Spec;

namespace Coordinator.Model.Tests.Spec;

public class SpecHashTests
{
    private const string Minimal = """
        apiVersion: coordinator/v1
        kind: Job
        metadata: {name: h}
        spec:
          input: {uri: "s3://data-in/x/"}
          batching: {maxRecords: 10}
          handler: {command: [a], timeout: 10m}
          output: {uri: "s3://data-out/x/"}
        """;

    private static async Task<string> HashOf(string yaml)
    {
        var result = await new JobLoader(InMemoryTemplateSource.Empty).LoadTextAsync(yaml, [], CancellationToken.None);
        Assert.Empty(result.Errors);
        return SpecHash.Compute(result.Job.Spec);
    }

    [Fact]
    public async Task Writing_a_default_out_reordering_keys_or_spelling_a_duration_in_seconds_keeps_the_hash()
    {
        var hash = await HashOf(Minimal);

        Assert.Equal(hash, await HashOf(Minimal.Replace("timeout: 10m", "timeout: 600", StringComparison.Ordinal)));
        Assert.Equal(hash, await HashOf(Minimal + "\n  slurm: {maxConcurrent: 50}\n  suspend: false"));
        Assert.Equal(hash, await HashOf(Minimal.Replace("  input: {uri: \"s3://data-in/x/\"}\n  batching: {maxRecords: 10}",
            "  batching: {maxRecords: 10}\n  input: {uri: \"s3://data-in/x/\"}", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Any_change_of_meaning_changes_the_hash()
    {
        var hash = await HashOf(Minimal);

        Assert.NotEqual(hash, await HashOf(Minimal.Replace("maxRecords: 10", "maxRecords: 11", StringComparison.Ordinal)));
        Assert.NotEqual(hash, await HashOf(Minimal.Replace("command: [a]", "command: [a, b]", StringComparison.Ordinal)));
        Assert.NotEqual(hash, await HashOf(Minimal + "\n  suspend: true"));
    }

    [Fact]
    public void The_hash_is_lowercase_hex_sha256_and_HasChanged_compares_with_the_stored_one()
    {
        var job = new Job();
        var hash = SpecHash.Compute(job.Spec);

        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.True(SpecHash.HasChanged(job));
        job.SpecHash = hash;
        Assert.False(SpecHash.HasChanged(job));
    }
}
