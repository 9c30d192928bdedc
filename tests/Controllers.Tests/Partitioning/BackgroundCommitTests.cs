using Coordinator.Data.Partitioning;
using Coordinator.Model.Spec;

namespace Coordinator.Controllers.Tests.Partitioning;

/// <summary>Small batches are committed several at a time, yet the manifest (the commit point) waits for all of them.</summary>
public sealed class BackgroundCommitTests : IDisposable
{
    private readonly PartitionFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task Small_batches_commit_in_parallel_and_the_manifest_lists_them_in_order_after_all_are_stored()
    {
        _f.Write("a.jsonl", string.Concat(Enumerable.Range(0, 400).Select(i => $"{{\"i\":{i}}}\n")));
        var job = PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, 10);
        var slow = new SlowCommitStore(_f.Store, TimeSpan.FromMilliseconds(40));
        _f.Generation = 1;

        var result = await new Partitioner(slow).RunAsync(job, _f.Layout, CancellationToken.None);

        Assert.InRange(slow.MostAtOnce, 2, BatchOutput.MaxCommitsInFlight);
        Assert.Equal(Enumerable.Range(0, 40), result.Manifest.Batches.Select(b => b.Index));
        Assert.Equal(Enumerable.Range(0, 40).Select(b => (long)b * 10), result.Manifest.Batches.Select(b => b.FirstRecord));
        Assert.All(result.Manifest.Batches, b => Assert.True(File.Exists(new Uri(b.Key).LocalPath), b.Key));
        Assert.NotNull(await Partitioner.ReadManifestAsync(_f.Store, _f.Layout, CancellationToken.None));
    }

    [Fact]
    public async Task A_failed_background_commit_fails_the_pass_without_a_manifest_and_a_rerun_completes_it()
    {
        _f.Write("a.jsonl", string.Concat(Enumerable.Range(0, 300).Select(i => $"{{\"i\":{i}}}\n")));
        var job = PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, 10);
        var slow = new SlowCommitStore(_f.Store, TimeSpan.FromMilliseconds(20)) { FailKey = "000017" };
        _f.Generation = 1;

        var e = await Assert.ThrowsAsync<IOException>(() => new Partitioner(slow).RunAsync(job, _f.Layout, CancellationToken.None));

        Assert.Contains("000017", e.Message, StringComparison.Ordinal);
        Assert.Null(await _f.Store.HeadAsync(_f.Layout.Manifest, CancellationToken.None));
        slow.FailKey = null;
        var rerun = await new Partitioner(slow).RunAsync(job, _f.Layout, CancellationToken.None);
        Assert.Equal(30, rerun.Manifest.Batches.Count);
        Assert.Equal(30, rerun.Stats.BatchesReused + rerun.Stats.BatchesWritten);
        Assert.InRange(rerun.Stats.BatchesWritten, 1, 30);
        var reference = await _f.RunAsync(job);
        Assert.Equal(reference.Manifest.Batches.Select(b => b.Sha256), rerun.Manifest.Batches.Select(b => b.Sha256));
    }
}
