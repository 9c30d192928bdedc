using System.Globalization;
using System.Text.Json;

namespace Coordinator.Bench.Data;

/// <summary>The benchmark suite: prints a Markdown table of measured figures (see docs/benchmarks.md).</summary>
internal static class Suite
{
    private const long GiB = 1L << 30;
    private const int SplitLines = 100_000;

    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var gib = double.Parse(options.GetValueOrDefault("gib", "1"), CultureInfo.InvariantCulture);
        var bigGib = double.Parse(options.GetValueOrDefault("big-gib", "4"), CultureInfo.InvariantCulture);
        var rounds = int.Parse(options.GetValueOrDefault("rounds", "3"), CultureInfo.InvariantCulture);
        // Untimed passes before each timed one, in the same process: after one pass tiered compilation is still
        // promoting methods (100–260 JIT compilations and 0.15–0.3 s of JIT CPU inside the next pass, measured); after
        // three it compiles fewer than a dozen, as in a daemon that has run a few jobs.
        var warmups = int.Parse(options.GetValueOrDefault("warmups", "3"), CultureInfo.InvariantCulture);
        // Default to tmpfs: input and output in memory measure the partitioner against split "from the page cache",
        // as the issue quotes split; on this VM the disk (about 30 MB/s of writeback) would otherwise decide both.
        var scratch = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        var dir = options.GetValueOrDefault("dir", Path.Combine(scratch, "coord-bench-" + Guid.NewGuid().ToString("N")[..8]));
        var diskDir = Path.Combine(Path.GetTempPath(), "coord-bench-disk-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var rows = new List<string>();
        try
        {
            Console.WriteLine($"# data benchmarks on {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, dir {dir}, load average {LoadAverage()}");
            var input = Path.Combine(dir, "in-1g.jsonl");
            var lines = DataGenerator.Jsonl(input, (long)(gib * GiB));
            var size = new FileInfo(input).Length;
            Warm(input);
            Console.WriteLine($"generated {size} bytes, {lines} lines");

            // Like for like first: split never fsyncs, so ours runs with fsync off (atomic rename kept) in the rounds.
            var splitTimes = new List<double>();
            var rawTimes = new List<double>();
            var ratios = new List<double>();
            var rss = new List<double>();
            var jit = new List<int>();
            for (var r = 0; r < rounds; r++)
            {
                splitTimes.Add(TimeSplit(input, Path.Combine(dir, "split")));
                var (raw, _) = Ours(input, Path.Combine(dir, "ours"), "jsonl", SplitLines, raw: true, fsync: false, warmups);
                rawTimes.Add(raw.GetProperty("seconds").GetDouble());
                ratios.Add(splitTimes[^1] / rawTimes[^1]);
                rss.Add(raw.GetProperty("peakRssMiB").GetDouble());
                jit.Add(raw.GetProperty("jitMethods").GetInt32());
                Console.WriteLine($"round {r + 1}: split {splitTimes[^1]:F3}s, ours(raw, no fsync) {rawTimes[^1]:F3}s = {ratios[^1]:F2}× split, " +
                    $"CPU {raw.GetProperty("cpuSeconds").GetDouble():F2}s, {jit[^1]} methods JIT-compiled in the pass, peak RSS {rss[^1]:F0} MiB, load {LoadAverage()}");
            }
            var split = Median(splitTimes);
            var ours = Median(rawTimes);
            var (cold, _) = Ours(input, Path.Combine(dir, "ours"), "jsonl", SplitLines, raw: true, fsync: false, warmups: 0);
            rows.Add(Row($"JSONL {gib:0.#} GiB file→file, GNU split -l {SplitLines}", size / split, $"median of {rounds}"));
            rows.Add(Row($"JSONL {gib:0.#} GiB file→file, ours raw (UTF-8 checked, sha256), no fsync, maxRecords {SplitLines}", size / ours,
                $"**{Median(ratios):F2}× split** (median of the {rounds} rounds' ratios, range {ratios.Min():F2}–{ratios.Max():F2}; best against best " +
                $"{splitTimes.Min():F3} / {rawTimes.Min():F3} s = {splitTimes.Min() / rawTimes.Min():F2}×; split and ours back to back in each round; " +
                $"ours after {warmups} untimed passes in the same process, as a daemon after a few jobs: {jit.Min()}–{jit.Max()} methods JIT-compiled in the timed pass); peak RSS {rss.Max():F0} MiB"));
            rows.Add(Row($"JSONL {gib:0.#} GiB file→file, ours raw, cold process (first pass, JIT included)", size / cold.GetProperty("seconds").GetDouble(),
                $"{split / cold.GetProperty("seconds").GetDouble():F2}× split; JIT {cold.GetProperty("jitSeconds").GetDouble():F2} s during the pass"));
            var (validated, _) = Ours(input, Path.Combine(dir, "ours"), "jsonl", SplitLines, raw: false, fsync: false);
            rows.Add(Row($"JSONL {gib:0.#} GiB file→file, ours validating JSON, no fsync", size / validated.GetProperty("seconds").GetDouble(),
                $"peak RSS {validated.GetProperty("peakRssMiB").GetDouble():F0} MiB"));
            if (options.ContainsKey("disk"))
            {
                var (durable, _) = Ours(input, diskDir, "jsonl", SplitLines, raw: true, fsync: true);
                rows.Add(Row($"JSONL {gib:0.#} GiB tmpfs→disk ({Path.GetTempPath()}), ours raw, fsync per batch (the default)", size / durable.GetProperty("seconds").GetDouble(),
                    $"bounded by the disk's fsync throughput; peak RSS {durable.GetProperty("peakRssMiB").GetDouble():F0} MiB"));
                Directory.Delete(diskDir, recursive: true);
            }
            File.Delete(input);

            if (bigGib > 0)
            {
                var big = Path.Combine(dir, "in-big.jsonl");
                DataGenerator.Jsonl(big, (long)(bigGib * GiB));
                var bigSize = new FileInfo(big).Length;
                var (bigRun, _) = Ours(big, Path.Combine(dir, "ours"), "jsonl", SplitLines, raw: true, fsync: false);
                rows.Add(Row($"JSONL {bigGib:0.#} GiB file→file, ours raw, no fsync", bigSize / bigRun.GetProperty("seconds").GetDouble(),
                    $"peak RSS {bigRun.GetProperty("peakRssMiB").GetDouble():F0} MiB"));
                File.Delete(big);
            }

            var csv = Path.Combine(dir, "in.csv");
            var csvRecords = DataGenerator.Csv(csv, 256L << 20);
            var (csvRun, _) = Ours(csv, Path.Combine(dir, "ours"), "csv", SplitLines, raw: false, fsync: false);
            rows.Add(Row($"CSV 256 MiB, no fsync ({csvRecords} records, 10% quoted with newlines)", new FileInfo(csv).Length / csvRun.GetProperty("seconds").GetDouble(),
                $"{csvRecords / csvRun.GetProperty("seconds").GetDouble() / 1e6:F2} M records/s; peak RSS {csvRun.GetProperty("peakRssMiB").GetDouble():F0} MiB"));
            File.Delete(csv);

            var parquet = Path.Combine(dir, "in.parquet");
            var parquetRows = await DataGenerator.ParquetAsync(parquet, 4_000_000, 300_000);
            var (pqRun, _) = Ours(parquet, Path.Combine(dir, "ours"), "parquet", 250_000, raw: false, fsync: false);
            rows.Add(Row($"Parquet, no fsync, {parquetRows / 1e6:F0} M rows, row groups of 300k, batches of 250k (splits)",
                new FileInfo(parquet).Length / pqRun.GetProperty("seconds").GetDouble(),
                $"{parquetRows / pqRun.GetProperty("seconds").GetDouble() / 1e6:F2} M rows/s; peak RSS {pqRun.GetProperty("peakRssMiB").GetDouble():F0} MiB"));
            File.Delete(parquet);

            if (!options.ContainsKey("skip-store"))
                rows.AddRange(await StoreBench.RunAsync(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            if (Directory.Exists(diskDir))
                Directory.Delete(diskDir, recursive: true);
        }
        Console.WriteLine();
        Console.WriteLine($"# finished {DateTime.UtcNow:HH:mm} UTC, load average {LoadAverage()}");
        Console.WriteLine("| measurement | throughput | notes |");
        Console.WriteLine("|---|---|---|");
        rows.ForEach(Console.WriteLine);
        return 0;
    }

    /// <summary>The 1/5/15-minute load averages: figures on a shared machine mean little without them.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string Row(string what, double bytesPerSecond, string notes) =>
        $"| {what} | {bytesPerSecond / 1e9:F2} GB/s | {notes} |";

    private static double TimeSplit(string input, string outDir)
    {
        Reset(outDir);
        var (_, seconds) = ChildProcess.Run("split", ["-l", SplitLines.ToString(CultureInfo.InvariantCulture), "-a", "4", input, Path.Combine(outDir, "x")]);
        return seconds;
    }

    private static (JsonElement, double) Ours(string input, string outDir, string format, long maxRecords, bool raw, bool fsync, int warmups = 1)
    {
        Reset(outDir);
        var args = new List<string> { "--input", new Uri(input).ToString(), "--root", new Uri(outDir + "/").ToString(), "--format", format,
            "--max-records", maxRecords.ToString(CultureInfo.InvariantCulture) };
        if (raw)
            args.Add("--raw");
        if (!fsync)
            args.Add("--no-fsync");
        if (warmups > 0)
            args.AddRange(["--warmup", warmups.ToString(CultureInfo.InvariantCulture)]);
        return ChildProcess.Partition([.. args]);
    }

    private static void Reset(string dir)
    {
        if (Directory.Exists(dir))
            Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
    }

    /// <summary>Read the file once so both contenders start from the page cache.</summary>
    private static void Warm(string path)
    {
        using var file = File.OpenRead(path);
        var buffer = new byte[1 << 20];
        while (file.Read(buffer) > 0)
        {
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

}
