using Coordinator.Bench.Data;

// Usage:
//   Coordinator.Bench.Data suite [--gib 1] [--big-gib 4] [--rounds 3] [--warmups 3] [--skip-store] [--dir /tmp/x]
//   Coordinator.Bench.Data store [--dir /tmp/x]    (only the 1,000-batch store on the local stack)
//   Coordinator.Bench.Data gen --path FILE [--format jsonl|csv|parquet] [--mib N] [--rows N --row-group N]
//   Coordinator.Bench.Data partition --input URI --root URI [--format jsonl|csv|parquet] [--max-records N] [--max-bytes B] [--raw] [--no-fsync] [--warmup [N]]
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: suite [options] | partition --input URI --root URI [options]");
    return 2;
}
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 1; i < args.Length; i++)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal))
        continue;
    var key = args[i][2..];
    options[key] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
}
return args[0] switch
{
    "partition" => await PartitionRun.RunAsync(options),
    "suite" => await Suite.RunAsync(options),
    "store" => await StoreOnlyAsync(options),
    "gen" => await GenerateAsync(options),
    _ => 2,
};

static async Task<int> GenerateAsync(Dictionary<string, string> options)
{
    var path = options["path"];
    var bytes = long.Parse(options.GetValueOrDefault("mib", "1024")) << 20;
    var count = options.GetValueOrDefault("format", "jsonl") switch
    {
        "csv" => DataGenerator.Csv(path, bytes),
        "parquet" => await DataGenerator.ParquetAsync(path, long.Parse(options.GetValueOrDefault("rows", "4000000")),
            int.Parse(options.GetValueOrDefault("row-group", "300000"))),
        _ => DataGenerator.Jsonl(path, bytes),
    };
    Console.WriteLine($"{path}: {new FileInfo(path).Length} bytes, {count} records");
    return 0;
}

static async Task<int> StoreOnlyAsync(Dictionary<string, string> options)
{
    var dir = options.GetValueOrDefault("dir", Path.Combine(Path.GetTempPath(), $"coord-store-bench-{Environment.ProcessId}"));
    Directory.CreateDirectory(dir);
    try
    {
        foreach (var row in await StoreBench.RunAsync(dir))
            Console.WriteLine(row);
        return 0;
    }
    finally
    {
        Directory.Delete(dir, recursive: true);
    }
}
