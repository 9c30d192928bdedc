using Coordinator.Data.Partitioning;
using Coordinator.Model.Spec;

namespace Coordinator.Controllers.Tests.Partitioning;

public sealed class PartitionerResumeTests : IDisposable
{
    private readonly PartitionFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task A_rerun_after_an_interrupted_pass_reuses_stored_batches_and_yields_the_same_manifest()
    {
        _f.Write("a.jsonl", string.Concat(Enumerable.Range(0, 1000).Select(i => $"{{\"i\":{i}}}\n")));
        var job = PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, 100);
        var first = await _f.RunAsync(job);

        // Simulate a crash after batch 3 was stored: the manifest (commit point) and the later batches are gone.
        File.Delete(_f.Layout.Manifest.LocalPath);
        foreach (var b in first.Manifest.Batches.Skip(4))
            File.Delete(new Uri(b.Key).LocalPath);
        var stamp = File.GetLastWriteTimeUtc(new Uri(first.Manifest.Batches[0].Key).LocalPath);

        var second = await _f.RunAsync(job, sameGeneration: true);
        Assert.False(second.AlreadyCommitted);
        Assert.Equal(4, second.Stats.BatchesReused);
        Assert.Equal(6, second.Stats.BatchesWritten);
        Assert.Equal(first.Manifest.Batches.Select(b => (b.Key, b.Sha256, b.FirstRecord, b.RecordCount)),
            second.Manifest.Batches.Select(b => (b.Key, b.Sha256, b.FirstRecord, b.RecordCount)));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(new Uri(second.Manifest.Batches[0].Key).LocalPath)); // not rewritten
        Assert.Equal(10, Directory.GetFiles(Path.GetDirectoryName(new Uri(first.Manifest.Batches[0].Key).LocalPath)!).Length);
    }

    [Fact]
    public async Task A_committed_manifest_is_returned_without_reading_the_input_again()
    {
        _f.Write("a.jsonl", "{\"a\":1}\n");
        var job = PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, 100);
        await _f.RunAsync(job);
        File.Delete(_f.Input("a.jsonl").LocalPath);
        var again = await _f.RunAsync(job, sameGeneration: true);
        Assert.True(again.AlreadyCommitted);
        Assert.Equal(1, again.Manifest.TotalRecords);
    }

    [Fact]
    public async Task A_tampered_manifest_is_refused_by_its_checksum()
    {
        _f.Write("a.jsonl", "{\"a\":1}\n");
        var job = PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, 100);
        await _f.RunAsync(job);
        var path = _f.Layout.Manifest.LocalPath;
        var tampered = File.ReadAllText(path).Replace("\"totalRecords\":1", "\"totalRecords\":2", StringComparison.Ordinal);
        File.Delete(path); // the stored copy is read-only; replace it as a careless hand edit would
        File.WriteAllText(path, tampered);
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => Partitioner.ReadManifestAsync(_f.Store, _f.Layout, CancellationToken.None));
        Assert.Contains("checksum", e.Message);
    }
}
