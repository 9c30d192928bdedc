using System.Text.Json.Nodes;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.EndToEnd.Tests;

/// <summary>
/// Dispatch across hosts (issue 17, item 2): a job on the 3-node cluster (<see cref="ClusterStack"/>) in array and in
/// pilot mode runs its batches on every host, each task item records the host it ran on, and the output holds every
/// input record exactly once. The daemon runs on the machine; the workers run in the hosts' network namespaces and
/// reach AWS at the bridge address.
/// </summary>
[Collection("EndToEnd")]
public sealed class ClusterDispatchTests(ClusterStackFixture fixture) : IClassFixture<ClusterStackFixture>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    /// <summary>Passes its batch through after a second, so the batches overlap and the scheduler spreads them.</summary>
    private const string SlowCat = "import sys, time\ntime.sleep(1)\nsys.stdout.write(sys.stdin.read())";

    private ClusterStack Stack
    {
        get
        {
            Skip.If(ClusterStack.ClusterUnavailable is not null, ClusterStack.ClusterUnavailable);
            return fixture.Stack!;
        }
    }

    private static string Name(string what) => $"e2e-cl-{what}-{Guid.NewGuid().ToString("N")[..6]}";

    [SkippableFact]
    public async Task ArrayMode_BatchesRunOnEveryHostAndTheOutputHoldsEachRecordOnce()
    {
        var stack = Stack;
        var name = Name("array");
        await stack.UploadAsync($"in/{name}/part-0.jsonl", WordcountInput(120));
        await stack.PutItemAsync(Wordcount(name, stack.Bucket, spec =>
        {
            spec["batching"]!["M"]!["maxRecords"] = N(10);
            spec["handler"]!["M"]!["command"] = L(S("python3"), S("-c"), S(SlowCat));
            spec["slurm"]!["M"]!["memory"] = S("256M");
        }));

        await AssertRanEverywhereOnceAsync(stack, name, batches: 12, records: 120);
    }

    [SkippableFact]
    public async Task PilotMode_PilotsOnEveryHostDrainTheBatchesAndTheOutputHoldsEachRecordOnce()
    {
        var stack = Stack;
        var name = Name("pilot");
        // 24 one-second batches: enough work that the last pilot to start (a few seconds after the first) still finds some.
        await stack.UploadAsync($"in/{name}/part-0.jsonl", WordcountInput(240));
        await stack.PutItemAsync(Wordcount(name, stack.Bucket, spec =>
        {
            spec["batching"]!["M"]!["maxRecords"] = N(10);
            spec["handler"]!["M"]!["command"] = L(S("python3"), S("-c"), S(SlowCat));
            spec["slurm"]!["M"]!["memory"] = S("256M");
            spec["dispatch"] = M(("mode", S("pilot")), ("workers", N(3)));
        }));

        await AssertRanEverywhereOnceAsync(stack, name, batches: 24, records: 240);
    }

    private static async Task AssertRanEverywhereOnceAsync(ClusterStack stack, string name, int batches, int records)
    {
        var status = await stack.WaitForPhaseAsync(name, Limit, "Succeeded", "Failed", "Invalid");
        Assert.True(E2eStack.Phase(status) == "Succeeded", $"{status}\n{stack.DaemonLog}");
        Assert.Equal((batches, records), (E2eStack.Count(status, "batches", "succeeded"), E2eStack.Count(status, "records", "output")));

        var tasks = await stack.TasksAsync(name);
        Assert.Equal(batches, tasks.Count);
        var hosts = tasks.Select(t => E2eStack.Text(t, "host")).ToList();
        Assert.DoesNotContain("", hosts);
        var expected = Enumerable.Range(1, stack.Nodes).Select(k => $"node{k}").ToHashSet();
        Assert.True(expected.SetEquals(hosts.ToHashSet()),
            $"tasks ran on {string.Join(", ", hosts.GroupBy(h => h).Select(g => $"{g.Key}×{g.Count()}"))}, expected every one of {string.Join(", ", expected)}");

        var output = await stack.DownloadAsync(E2eStack.Text(status.GetProperty("output").GetProperty("M"), "uri"));
        var ids = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!["id"]!.GetValue<int>()).ToList();
        Assert.Equal(Enumerable.Range(0, records), ids);
    }
}
