using System.Globalization;
using System.Text.RegularExpressions;
using Coordinator.Testing.Processes;
using Coordinator.Testing.Stack;
using Xunit.Abstractions;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Issue 14, defect 7, on the real product: many small jobs run to an end through one daemon (real Slurm, pilot mode,
/// half of them failing with a 4 KiB stderr tail on every batch, the case that used to stay in memory), and afterwards
/// the daemon holds per-job state for none of them (the coordinator.memory.jobs gauge), and its resident size after
/// the last wave of jobs is within 10% of its size after the first wave: it does not grow with the number of jobs it
/// has run. The fresh daemon's idle size is reported beside them (the first wave adds the one-time cost of the code
/// the job paths JIT-compile and the types they load). Every size is taken the same way: the smallest VmRSS over a
/// window after the idle trimmer's quiet period.
/// </summary>
public sealed partial class DaemonMemoryTests(ITestOutputHelper output)
{
    private static readonly string[] Done = ["Succeeded", "Failed", "Invalid", "Cancelled"];

    /// <summary>Stderr of 4 KiB (the tail the worker keeps on a failed task), then exit 3.</summary>
    private const string FailWithStderr = "import sys\nsys.stdin.read()\nsys.stderr.write('e' * 4096)\nsys.exit(3)";

    [SkippableFact]
    public async Task After_many_jobs_finish_the_daemon_holds_nothing_per_job_and_its_RSS_does_not_grow_with_the_jobs_it_ran()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        var (waves, perWave) = ChaosMode.Pick((3, 12), (4, 250)); // CI: 36 jobs (was 60, to keep CI short); soak: 1,000
        await using var stack = new ChaosStack("mem");
        await stack.InitAsync();
        var metricsPort = CoordinatorStack.FreePort();
        var daemon = stack.StartDaemon("daemon", new Dictionary<string, string?>
        {
            ["COORDINATOR_DAEMON__TELEMETRY__PROMETHEUSENDPOINT"] = $"http://127.0.0.1:{metricsPort}/",
        });
        await daemon.WaitForLineAsync("acquired", TimeSpan.FromSeconds(60));
        var idle = await SettledRssAsync(daemon);
        var idleGc = await GcFiguresAsync(metricsPort);
        var figures = new List<string> { string.Create(CultureInfo.InvariantCulture, $"fresh idle {idle / 1024.0:F1} MiB ({idleGc})") };

        var names = new List<string>();
        var statuses = new Dictionary<string, Dictionary<string, Amazon.DynamoDBv2.Model.AttributeValue>>();
        var started = DateTime.UtcNow;
        var afterWave = new List<long>();
        for (var wave = 0; wave < waves; wave++)
        {
            foreach (var (job, status) in await RunJobsAsync(stack, names, wave * perWave, (wave + 1) * perWave))
            {
                statuses[job] = status;
            }
            afterWave.Add(await SettledRssAsync(daemon));
            var gc = await GcFiguresAsync(metricsPort);
            figures.Add(string.Create(CultureInfo.InvariantCulture, $"after {(wave + 1) * perWave} jobs {afterWave[^1] / 1024.0:F1} MiB ({gc})"));
        }
        var took = DateTime.UtcNow - started;
        var jobs = waves * perWave;
        var succeeded = statuses.Values.Count(s => ChaosStack.Phase(s) == "Succeeded");
        var failed = statuses.Values.Count(s => ChaosStack.Phase(s) == "Failed");
        var remembered = await GaugeAsync(metricsPort, "coordinator_memory_jobs");
        var growth = (double)afterWave[^1] / afterWave[0];
        Figures.Record(output, nameof(DaemonMemoryTests), string.Create(CultureInfo.InvariantCulture,
            $"{jobs} jobs ({succeeded} Succeeded, {failed} Failed, 4 batches each, pilot mode) in {took.TotalSeconds:F0} s; RSS: {string.Join("; ", figures)}; last/first wave {growth:P1}, last/fresh idle {(double)afterWave[^1] / idle:P1}; per-job entries held afterwards {remembered}"));
        output.WriteLine(File.ReadAllText($"/proc/{daemon.Pid}/smaps_rollup"));
        Assert.False(daemon.HasExited, daemon.Tail());
        Assert.Equal((jobs / 2, jobs - jobs / 2), (succeeded, failed));
        Assert.Equal(0, remembered);
        Assert.True(growth <= 1.10, $"RSS after {jobs} jobs is {afterWave[^1]} KiB, {growth:P1} of the {afterWave[0]} KiB after the first {perWave}");
    }

    private static async Task<Dictionary<string, Dictionary<string, Amazon.DynamoDBv2.Model.AttributeValue>>> RunJobsAsync(
        ChaosStack stack, List<string> names, int from, int to)
    {
        var wave = new List<string>();
        for (var i = from; i < to; i++)
        {
            var name = stack.JobName($"j{i}");
            names.Add(name);
            wave.Add(name);
            var fails = i % 2 == 1;
            await ChaosJobs.SubmitAsync(stack, name, ChaosJobs.Records(name, 8, new Random(i)), maxRecords: 2, spec =>
            {
                spec["dispatch"] = M(("mode", S("pilot")), ("workers", N(1)));
                if (fails)
                {
                    spec["handler"]!["M"]!["command"] = L(S("python3"), S("-c"), S(FailWithStderr));
                    spec["retry"]!["M"]!["maxAttempts"] = N(1);
                    spec["retry"]!["M"]!.AsObject().Remove("rules");
                }
            });
        }
        return await stack.WaitForAllAsync(wave, TimeSpan.FromMinutes(ChaosMode.Pick(10, 40)), Done);
    }

    /// <summary>Managed heap figures from .NET's runtime meter: the last GC's heap size and committed memory (MiB).</summary>
    private static async Task<string> GcFiguresAsync(int port)
    {
        var heap = await GaugeAsync(port, "dotnet_gc_last_collection_heap_size_bytes", sum: true) / 1048576.0;
        var committed = await GaugeAsync(port, "dotnet_gc_last_collection_memory_committed_size_bytes") / 1048576.0;
        return string.Create(CultureInfo.InvariantCulture, $"GC heap {heap:F1} MiB, committed {committed:F1} MiB");
    }

    /// <summary>
    /// The daemon's resident size once the idle trimmer had its quiet period (10 s) and a trim: the smallest VmRSS
    /// seen over 15 s from then, sampled every second (KiB).
    /// </summary>
    private static async Task<long> SettledRssAsync(DaemonHandle daemon)
    {
        await Task.Delay(TimeSpan.FromSeconds(15));
        var smallest = long.MaxValue;
        for (var i = 0; i < 15; i++)
        {
            smallest = Math.Min(smallest, Rss(daemon.Pid));
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        return smallest;
    }

    private static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(RssValue().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>A gauge's value from the daemon's Prometheus endpoint (with <paramref name="sum"/>, summed over its series).</summary>
    private static async Task<long> GaugeAsync(int port, string name, bool sum = false)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        var matches = Regex.Matches(text, $"^{Regex.Escape(name)}(?:{{[^}}]*}})? ([0-9.eE+-]+)", RegexOptions.Multiline);
        Assert.True(matches.Count > 0, $"{name} is not among the daemon's metrics:\n{text}");
        var values = matches.Select(m => (long)double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        return sum ? values.Sum() : values[0];
    }

    [GeneratedRegex(@"(\d+)\s*kB")]
    private static partial Regex RssValue();
}
