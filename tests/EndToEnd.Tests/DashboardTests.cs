using System.Globalization;
using System.Text.Json;
using Coordinator.Testing;
using Xunit.Abstractions;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.EndToEnd.Tests;

/// <summary>
/// The Grafana dashboard works on real data: Debian's Prometheus scrapes a `coordinator daemon` process every second
/// while jobs run end to end (two wordcount jobs on real Slurm, one invalid spec, one job whose sbatch Slurm refuses
/// for a partition that does not exist), and every query of every panel of deploy/grafana/coordinator.json, sent to
/// Prometheus's HTTP API, returns series with numeric values; the panels a job must move are checked for the values
/// it must produce.
/// </summary>
[Collection("EndToEnd")]
public sealed class DashboardTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    /// <summary>What some panels must show after this test's jobs, on top of "has data" (by panel title).</summary>
    private static readonly Dictionary<string, Func<JsonElement, bool>> Expectations = new(StringComparer.Ordinal)
    {
        ["Leader"] = r => Max(r) == 1,
        ["Jobs by phase"] = r => Max(r, "phase", "Succeeded") >= 2 && Max(r, "phase", "Invalid") >= 1,
        ["Batches by state"] = r => Max(r, "state", "Succeeded") >= 6,
        ["Records per second"] = r => Max(r, "kind", "partition") > 0 && Max(r, "kind", "output") > 0,
        ["Reconcile latency (whole pipeline)"] = r => Max(r) > 0,
        ["Slurm submit latency"] = r => Max(r) > 0,
        ["Slurm errors"] = r => Max(r, "kind", "permanent") > 0,
        ["Failures by reason since daemon start"] = r => Max(r, "reason", "InvalidSpec") >= 1,
        ["DynamoDB Streams lag"] = r => Max(r) >= 0,
    };

    [SkippableFact]
    public async Task EveryPanelQueryReturnsDataFromPrometheusScrapingADaemonDuringEndToEndJobs()
    {
        Skip.If(E2eStack.Unavailable is not null, E2eStack.Unavailable);
        var (binary, problem) = await DashboardPrometheus.FindAsync();
        Skip.If(binary is null, problem);
        var queries = DashboardQueries.Load(DashboardQueries.DashboardPath);

        await using var stack = new E2eStack();
        await stack.StartAsync();
        var metricsEndpoint = new Uri(stack.Settings["COORDINATOR_DAEMON__TELEMETRY__PROMETHEUSENDPOINT"]!);
        var started = DateTimeOffset.UtcNow;
        await using var prometheus = await DashboardPrometheus.StartAsync(binary!, $"{metricsEndpoint.Host}:{metricsEndpoint.Port}");
        await WaitAsync(async () => await prometheus.TargetHealthAsync() == "up", TimeSpan.FromSeconds(30),
            () => $"Prometheus never scraped the daemon at {metricsEndpoint}:\n{prometheus.Log}\n{stack.DaemonLog}");

        var first = Name("dash-a");
        var second = Name("dash-b");
        var invalid = Name("dash-bad");
        var refused = Name("dash-part");
        await stack.UploadAsync($"in/{first}/part-0.jsonl", WordcountInput(100));
        await stack.UploadAsync($"in/{second}/part-0.jsonl", WordcountInput(50));
        await stack.UploadAsync($"in/{refused}/part-0.jsonl", WordcountInput(10));
        output.WriteLine($"prometheus scraping after {DateTimeOffset.UtcNow - started}");
        // The sbatch latency histogram needs a rate: its series is born with the first sbatch (a baseline, never in a
        // rate), so later sbatch calls must land in later 1 s scrapes within one rate window, or every
        // histogram_quantile is NaN. The calls are spread on purpose: the refused job's, then the first job's, and the
        // second job's only once the first is running. (Put at once, all of them could fall in one scrape.)
        await stack.PutItemAsync(Wordcount(refused, stack.Bucket, spec => spec["slurm"]!["M"]!["partition"] = S("nosuchpartition")));
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stack.PutItemAsync(Wordcount(first, stack.Bucket));
        await stack.WaitForPhaseAsync(first, Limit, "Running", "Succeeded", "Failed");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stack.PutItemAsync(Wordcount(invalid, stack.Bucket, spec => spec["handlr"] = S("typo")));
        await stack.PutItemAsync(Wordcount(second, stack.Bucket));

        foreach (var job in (string[])[first, second])
        {
            var status = await stack.WaitForPhaseAsync(job, Limit, "Succeeded", "Failed", "Invalid");
            Assert.True(E2eStack.Phase(status) == "Succeeded", $"{job}: {status}\n{stack.DaemonLog}");
        }
        Assert.Equal("Invalid", E2eStack.Phase(await stack.WaitForPhaseAsync(invalid, Limit, "Invalid")));
        output.WriteLine($"jobs ended after {DateTimeOffset.UtcNow - started}");
        // A few more scrapes so the last changes are in Prometheus.
        await Task.Delay(TimeSpan.FromSeconds(3));

        var end = DateTimeOffset.UtcNow;
        var failures = new List<string>();
        var byPanel = new Dictionary<string, List<JsonElement>>(StringComparer.Ordinal);
        foreach (var query in queries)
        {
            var result = await prometheus.QueryRangeAsync(query.Expr, started, end);
            if (result.GetArrayLength() == 0)
            {
                failures.Add($"\"{query.Panel}\" {query.RefId}: no series for {query.Expr}");
            }
            else if (!Values(result).Any(v => !double.IsNaN(v)))
            {
                failures.Add($"\"{query.Panel}\" {query.RefId}: only NaN for {query.Expr}");
            }
            if (!byPanel.TryGetValue(query.Panel, out var results))
            {
                byPanel[query.Panel] = results = [];
            }
            results.Add(result);
        }
        foreach (var (panel, expectation) in Expectations)
        {
            if (!byPanel.TryGetValue(panel, out var results))
            {
                failures.Add($"the dashboard has no panel \"{panel}\"");
            }
            else if (!results.Any(expectation))
            {
                failures.Add($"\"{panel}\" does not show what the jobs produced: {string.Join(" | ", results.Select(r => r.ToString()))}");
            }
        }
        // Every metric the alert rules use exists in what the daemon exports (a renamed metric silences an alert for ever).
        var alertMetrics = System.Text.RegularExpressions.Regex.Matches(await File.ReadAllTextAsync(RepoFiles.Path("deploy", "prometheus", "alerts.yml")),
            @"\b(coordinator_[a-z_]+)").Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();
        foreach (var metric in alertMetrics)
        {
            if ((await prometheus.QueryRangeAsync($"count({{__name__=\"{metric}\"}})", started, end)).GetArrayLength() == 0)
            {
                failures.Add($"deploy/prometheus/alerts.yml uses {metric}, which the daemon does not export");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {queries.Count} queries / panel checks failed:\n{string.Join("\n", failures)}");
        output.WriteLine($"{alertMetrics.Count} metrics of the alert rules exported: {string.Join(", ", alertMetrics)}");
        output.WriteLine($"{queries.Count} queries of {byPanel.Count} panels checked; {DateTimeOffset.UtcNow - started} from Prometheus start");
    }

    private static string Name(string what) => $"e2e-{what}-{Guid.NewGuid().ToString("N")[..6]}";

    private static IEnumerable<double> Values(JsonElement result) =>
        result.EnumerateArray().SelectMany(series => series.GetProperty("values").EnumerateArray())
            .Select(v => double.Parse(v[1].GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture));

    /// <summary>The largest non-NaN value of the series whose <paramref name="label"/> is <paramref name="value"/> (all series when null); -1 when none.</summary>
    private static double Max(JsonElement result, string? label = null, string? value = null)
    {
        var series = result.EnumerateArray().Where(s => label is null
            || (s.GetProperty("metric").TryGetProperty(label, out var v) && v.GetString() == value));
        var values = series.SelectMany(s => s.GetProperty("values").EnumerateArray())
            .Select(v => double.Parse(v[1].GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture))
            .Where(v => !double.IsNaN(v)).ToList();
        return values.Count == 0 ? -1 : values.Max();
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan limit, Func<string> why)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(why());
            }
            await Task.Delay(250);
        }
    }
}
