using System.Diagnostics;
using System.Text.Json;
using Coordinator.Aws;
using Coordinator.Aws.S3;
using Coordinator.Controllers.Configuration;
using Coordinator.Data.Layout;
using Coordinator.Data.Partitioning;
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
        var warmupSeconds = 0.0;
        if (args.TryGetValue("warmup", out var w))
            for (var i = 0; i < (int.TryParse(w, out var n) ? n : 1); i++)
                warmupSeconds += await WarmUpAsync(store, job, new Uri(args["root"]));
        var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
        var methodsBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var result = await new Partitioner(store).RunAsync(job, layout, CancellationToken.None);
        watch.Stop();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            seconds = watch.Elapsed.TotalSeconds,
            warmupSeconds,
            cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds,
            jitSeconds = (System.Runtime.JitInfo.GetCompilationTime() - jitBefore).TotalSeconds,
            jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount() - methodsBefore,
            jitMethodsBefore = methodsBefore,
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
    /// --warmup [N]: run the same partition N times (default once) first, in this process, into a scratch root that is deleted afterwards, so
    /// the timed pass runs JIT-compiled code as a long-running daemon does after its first job (in a fresh process,
    /// tiered compilation recompiles the hot methods on a second thread during the pass, competing for the CPU).
    /// </summary>
    private static async Task<double> WarmUpAsync(Coordinator.Data.Storage.IObjectStore store, Job job, Uri root)
    {
        var scratch = new Uri(root, "warmup-" + Guid.NewGuid().ToString("N")[..8] + "/");
        var watch = Stopwatch.StartNew();
        await new Partitioner(store).RunAsync(job, new JobLayout(scratch, job.Name, job.Generation), CancellationToken.None);
        var seconds = watch.Elapsed.TotalSeconds;
        if (scratch.IsFile)
        {
            foreach (var f in Directory.EnumerateFiles(scratch.LocalPath, "*", SearchOption.AllDirectories))
                File.SetAttributes(f, FileAttributes.Normal);
            Directory.Delete(scratch.LocalPath, recursive: true);
        }
        await Task.Delay(500); // let tiered compilation finish promoting what the first pass made hot
        return seconds;
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
