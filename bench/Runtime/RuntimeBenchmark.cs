using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Coordinator.Aws;
using Coordinator.Aws.Provisioning;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Reconciler.Cli;
using Coordinator.Reconciler.Reconcile;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Bench.Runtime;

/// <summary>The runtime benchmark: an in-process daemon for latency and call rates, a separate process for RSS.</summary>
public static class RuntimeBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var jobs = Arg(args, "--jobs", 200);
        var gapMs = Arg(args, "--gap-ms", 25);
        var idleSeconds = Arg(args, "--idle-seconds", 20);
        // Daemon:Feed:ActivePollsPerSecond for the in-process daemon (default: the daemon's own default, 4).
        var polls = ArgString(args, "--polls");
        var suffix = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var options = new CoordinatorOptions
        {
            JobsTable = suffix + "-jobs", TasksTable = suffix + "-tasks", LeasesTable = suffix + "-leases", Bucket = suffix,
        };
        var factory = new AwsClientFactory(options);
        using var dynamo = factory.CreateDynamoDb();
        using IAmazonS3 s3 = factory.CreateS3();
        Console.WriteLine($"stack: {factory.ServiceEndpointUrl("DYNAMODB") ?? "AWS"}; tables {suffix}-*; {jobs} jobs, {gapMs} ms apart");
        await new StackProvisioner(dynamo, s3).EnsureAsync(options, CancellationToken.None);
        try
        {
            await MeasureInProcessAsync(options, dynamo, jobs, gapMs, idleSeconds, polls);
            if (!args.Contains("--skip-rss"))
            {
                await MeasureRssAsync(options, args, Arg(args, "--rss-seconds", 40));
            }
        }
        finally
        {
            foreach (var table in new[] { options.JobsTable, options.TasksTable, options.LeasesTable })
            {
                await dynamo.DeleteTableAsync(table);
            }
            await s3.DeleteBucketAsync(options.Bucket);
        }
        return 0;
    }

    private static async Task MeasureInProcessAsync(CoordinatorOptions options, IAmazonDynamoDB dynamo, int jobs, int gapMs, int idleSeconds, string? polls)
    {
        var configuration = DaemonCommand.BuildConfiguration(Overrides(options),
            ["--Daemon:Telemetry:PrometheusEndpoint=", .. polls is null ? Array.Empty<string>() : [$"--Daemon:Feed:ActivePollsPerSecond={polls}"]]);
        var feed = new Coordinator.Reconciler.Feed.FeedOptions();
        if (polls is not null)
        {
            feed.ActivePollsPerSecond = double.Parse(polls, CultureInfo.InvariantCulture);
        }
        using var host = DaemonCommand.BuildHost(configuration, "text");
        var started = new ConcurrentDictionary<string, long>();
        host.Services.GetRequiredService<JobReconciler>().Started += key => started.TryAdd(key.Name, Stopwatch.GetTimestamp());
        using var calls = new CallCounter(host.Services.GetRequiredService<CoordinatorMetrics>().Meter);
        await host.StartAsync();

        var put = new Dictionary<string, long>();
        var roundTrips = new List<double>();
        for (var i = 0; i < jobs; i++)
        {
            var name = $"bench-{i:D4}";
            put[name] = Stopwatch.GetTimestamp();
            await dynamo.PutItemAsync(options.JobsTable, new Dictionary<string, AttributeValue>
            {
                ["name"] = new() { S = name },
                ["spec"] = new() { M = new() { ["input"] = new() { M = new() { ["uri"] = new() { S = "s3://bench/in/" } } } } },
            });
            roundTrips.Add(Stopwatch.GetElapsedTime(put[name]).TotalMilliseconds);
            await Task.Delay(gapMs);
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (started.Count < jobs && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        var latencies = put.Where(p => started.ContainsKey(p.Key))
            .Select(p => Stopwatch.GetElapsedTime(p.Value, started[p.Key]).TotalMilliseconds).Order().ToList();
        Console.WriteLine($"put-item -> reconcile started: {latencies.Count}/{jobs} jobs seen; " +
            $"p50 {Percentile(latencies, 0.50):F1} ms, p99 {Percentile(latencies, 0.99):F1} ms, max {latencies.LastOrDefault():F1} ms");
        // The floor a poller sets (issue 18, item 6): a write waits half a poll interval on average, a whole one at
        // worst, plus one round trip (the median put-item call to the same emulator, measured above).
        var interval = feed.MinPollInterval.TotalMilliseconds;
        var rtt = Percentile([.. roundTrips.Order()], 0.50);
        var p50Goal = 1.15 * (interval / 2 + rtt);
        var p99Goal = 1.15 * (interval + rtt);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  at {feed.ActivePollsPerSecond} polls/s: interval {interval:F0} ms, round trip (median put-item) {rtt:F1} ms; goal p50 <= {p50Goal:F1} ms ({(Percentile(latencies, 0.50) <= p50Goal ? "met" : "NOT met")}), p99 <= {p99Goal:F1} ms ({(Percentile(latencies, 0.99) <= p99Goal ? "met" : "NOT met")})"));

        await Task.Delay(TimeSpan.FromSeconds(10)); // let the shards settle into idle polling
        var before = calls.GetRecords;
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
        var rate = (calls.GetRecords - before) / clock.Elapsed.TotalSeconds;
        Console.WriteLine($"idle GetRecords: {rate:F2} calls/s over 2 shards (jobs + tasks streams) = {rate / 2:F2} calls/s/shard, over {idleSeconds} s");
        await host.StopAsync();
    }

    private static async Task MeasureRssAsync(CoordinatorOptions options, string[] args, int rssSeconds)
    {
        var daemon = ArgString(args, "--daemon") ?? Path.Combine(AppContext.BaseDirectory, "coordinator.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(daemon);
        start.ArgumentList.Add("daemon");
        foreach (var o in Overrides(options))
        {
            start.ArgumentList.Add(o);
        }
        start.ArgumentList.Add("--Daemon:Telemetry:PrometheusEndpoint=");
        using var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        // Sampled every 10 s: the daemon lists (and reconciles) the jobs left by the latency run first, and gives the
        // freed heap back once it has been quiet for 10 s (IdleTrimmer), so the samples show the burst and the idle level.
        var samples = new List<string>();
        string hwm = "";
        for (var waited = 10; waited <= Math.Max(10, rssSeconds); waited += 10)
        {
            await Task.Delay(TimeSpan.FromSeconds(10));
            var status = await File.ReadAllLinesAsync($"/proc/{process.Id}/status");
            samples.Add($"{waited} s {Kb(status, "VmRSS:")}");
            hwm = Kb(status, "VmHWM:");
        }
        Console.WriteLine($"idle daemon process VmRSS: {string.Join(", ", samples)}; peak VmHWM {hwm}");
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    private static string[] Overrides(CoordinatorOptions options) =>
    [
        $"--Coordinator:JobsTable={options.JobsTable}", $"--Coordinator:TasksTable={options.TasksTable}",
        $"--Coordinator:LeasesTable={options.LeasesTable}", $"--Coordinator:Bucket={options.Bucket}",
    ];

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static int Arg(string[] args, string name, int fallback) =>
        ArgString(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    private static string? ArgString(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>Counts GetRecords calls the daemon reports on its meter.</summary>
    private sealed class CallCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _getRecords;

        public CallCounter(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "coordinator.stream.get_records")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _getRecords, value));
            _listener.Start();
        }

        public long GetRecords => Interlocked.Read(ref _getRecords);

        public void Dispose() => _listener.Dispose();
    }

    private static string Kb(string[] status, string field) =>
        status.First(l => l.StartsWith(field, StringComparison.Ordinal))[field.Length..].Trim();
}
