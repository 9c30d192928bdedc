using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coordinator.Data.Layout;
using Coordinator.Data.Partitioning;
using Coordinator.Data.Storage;
using Coordinator.Model.Spec;

namespace Coordinator.Integration.Tests.Partition;

/// <summary>
/// Kills a partition running in its own process (the data bench's "partition" mode, the same Partitioner the daemon
/// runs) after it committed some batches, reruns it, and checks that no batch is duplicated or missing: the result is
/// byte-for-byte the manifest of an uninterrupted run.
/// </summary>
public sealed class PartitionKillResumeTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "coord-kill-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_partition_killed_mid_way_resumes_with_no_batch_duplicated_or_missing()
    {
        Directory.CreateDirectory(_root);
        var input = Path.Combine(_root, "in.jsonl");
        await using (var file = new StreamWriter(input, false, new UTF8Encoding(false), 1 << 20))
            for (var i = 0; i < 1_500_000; i++)
                await file.WriteAsync($"{{\"id\":{i},\"text\":\"line {i} of the kill test, padded to about a hundred bytes...\"}}\n");
        var outRoot = Path.Combine(_root, "out") + "/";
        var batches = Path.Combine(outRoot, "jobs", "bench", "1", "batches");

        using (var first = Start(input, outRoot))
        {
            var watch = Stopwatch.StartNew();
            while (CommittedBatches(batches) < 3 && !first.HasExited && watch.Elapsed < TimeSpan.FromMinutes(2))
                await Task.Delay(20);
            Assert.False(first.HasExited, "the partition finished before it could be killed; make the input larger");
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
        var survivors = CommittedBatches(batches);
        Assert.True(survivors >= 3);
        Assert.False(File.Exists(Path.Combine(outRoot, "jobs", "bench", "1", "manifest.json")), "killed before the commit point");

        using var second = Start(input, outRoot);
        var output = await second.StandardOutput.ReadToEndAsync();
        await second.WaitForExitAsync();
        Assert.True(second.ExitCode == 0, await second.StandardError.ReadToEndAsync());
        var figures = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        Assert.True(figures.GetProperty("reused").GetInt32() >= survivors);

        var resumed = await Partitioner.ReadManifestAsync(new FileObjectStore(), new JobLayout(new Uri(outRoot), "bench", 1), CancellationToken.None);
        var job = Job(input);
        job.Spec.Input.Validate = false;
        var reference = await new Partitioner(new FileObjectStore()).RunAsync(
            job, new JobLayout(new Uri(Path.Combine(_root, "ref") + "/"), "bench", 1), CancellationToken.None);
        Assert.Equal(reference.Manifest.Batches.Select(b => (Path.GetFileName(b.Key), b.Sha256, b.FirstRecord, b.RecordCount, b.Bytes)),
            resumed!.Batches.Select(b => (Path.GetFileName(b.Key), b.Sha256, b.FirstRecord, b.RecordCount, b.Bytes)));
        Assert.Equal(resumed.Batches.Count, CommittedBatches(batches));
        foreach (var b in resumed.Batches)
            Assert.Equal(b.Sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(new Uri(b.Key).LocalPath))));
    }

    private static Job Job(string input) => new()
    {
        Name = "bench",
        Generation = 1,
        SpecHash = "bench",
        Spec = new JobSpec { Input = new InputSpec { Uri = new Uri(input).ToString() }, Batching = new BatchingSpec { MaxRecords = 50_000 } },
    };

    private static int CommittedBatches(string dir) =>
        Directory.Exists(dir) ? Directory.GetFiles(dir, "*.jsonl").Count(f => !Path.GetFileName(f).StartsWith('.')) : 0;

    private static Process Start(string input, string outRoot)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Coordinator.Bench.Data"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "partition", "--input", new Uri(input).ToString(), "--root", new Uri(outRoot).ToString(), "--max-records", "50000", "--raw" })
            start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }
}
