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
        var warmupSeconds = args.ContainsKey("warmup") ? await WarmUpAsync(store, job) : 0;
        var watch = Stopwatch.StartNew();
        var result = await new Partitioner(store).RunAsync(job, layout, CancellationToken.None);
        watch.Stop();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            seconds = watch.Elapsed.TotalSeconds,
            warmupSeconds,
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

    /// <summary>
    /// --warmup: partition 32 MiB of generated input of the same format and limits first, in this process, so the timed
    /// pass runs JIT-compiled code as a long-running daemon does after its first job (tiered compilation otherwise
    /// recompiles the hot methods on a second thread during the timed pass).
    /// </summary>
    private static async Task<double> WarmUpAsync(Coordinator.Controllers.Ports.IObjectStore store, Job job)
    {
        var dir = Directory.CreateTempSubdirectory("coord-warmup");
        try
        {
            var input = Path.Combine(dir.FullName, "warmup." + job.Spec.Input.Format.ToString().ToLowerInvariant());
            switch (job.Spec.Input.Format)
            {
                case InputFormat.Jsonl:
                    DataGenerator.Jsonl(input, 32L << 20);
                    break;
                case InputFormat.Csv:
                    DataGenerator.Csv(input, 32L << 20);
                    break;
                default:
                    await DataGenerator.ParquetAsync(input, 400_000, 100_000);
                    break;
            }
            var warm = new Job
            {
                Name = job.Name + "-warmup",
                Generation = 1,
                SpecHash = job.SpecHash,
                Spec = new JobSpec { Input = new InputSpec { Uri = new Uri(input).ToString(), Format = job.Spec.Input.Format, Validate = job.Spec.Input.Validate, Csv = job.Spec.Input.Csv }, Batching = job.Spec.Batching },
            };
            var watch = Stopwatch.StartNew();
            var root = new Uri(Path.Combine(dir.FullName, "out") + "/");
            // Twice: the second pass runs the methods tiered compilation promoted during the first.
            for (var i = 0; i < 2; i++)
            {
                warm.Generation = i + 1;
                await new Partitioner(store).RunAsync(warm, new JobLayout(root, warm.Name, warm.Generation), CancellationToken.None);
            }
            return watch.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach (var f in Directory.EnumerateFiles(dir.FullName, "*", SearchOption.AllDirectories))
                File.SetAttributes(f, FileAttributes.Normal);
            dir.Delete(recursive: true);
        }
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
