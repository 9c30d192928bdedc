using System.Diagnostics;
using System.Text.Json;
using Coordinator.Controllers.Aws;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Partitioning;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Storage;
using Coordinator.Model.Spec;

namespace Coordinator.Bench.Data;

/// <summary>
/// The "partition" mode: one partition pass in this process, printing a JSON line with the figures (and the peak RSS
/// read from /proc/self/status). Run as a child process by the suite (so RSS is the partitioner's alone) and by the
/// integration test that kills a partition mid-way.
/// </summary>
internal static class PartitionRun
{
    public static async Task<int> RunAsync(Dictionary<string, string> args)
    {
        var job = new Job
        {
            Name = args.GetValueOrDefault("job", "bench"),
            Generation = 1,
            SpecHash = "bench",
            Spec = new JobSpec
            {
                Input = new InputSpec
                {
                    Uri = args["input"],
                    Format = Enum.Parse<InputFormat>(args.GetValueOrDefault("format", "jsonl"), true),
                    Validate = !args.ContainsKey("raw"),
                },
                Batching = new BatchingSpec
                {
                    MaxRecords = args.TryGetValue("max-records", out var r) ? long.Parse(r) : null,
                    MaxBytes = args.TryGetValue("max-bytes", out var b) ? long.Parse(b) : null,
                },
            },
        };
        var store = ObjectStoreRouter.Create(new AwsClientFactory(new CoordinatorOptions()), flushFilesToDisk: !args.ContainsKey("no-fsync"));
        var layout = new JobLayout(new Uri(args["root"]), job.Name, job.Generation);
        var watch = Stopwatch.StartNew();
        var result = await new Partitioner(store).RunAsync(job, layout, CancellationToken.None);
        watch.Stop();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            seconds = watch.Elapsed.TotalSeconds,
            records = result.Manifest.TotalRecords,
            batches = result.Manifest.Batches.Count,
            outputBytes = result.Manifest.TotalBytes,
            inputBytes = result.Stats.InputBytes,
            written = result.Stats.BatchesWritten,
            reused = result.Stats.BatchesReused,
            peakRssMiB = PeakRssMiB(),
        }));
        return 0;
    }

    /// <summary>VmHWM: the most resident memory this process ever had.</summary>
    public static double PeakRssMiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        return double.NaN;
    }
}
