using System.Text.Json.Nodes;
using Amazon.S3.Model;
using Xunit.Abstractions;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Security through the real path: a daemon with distinctive dummy AWS secrets in its environment, workers on real
/// Slurm, a Python handler that echoes its argv and environment into each output record. Hostile handler arguments and
/// environment values must arrive verbatim with nothing executed; the handler must see exactly the documented
/// environment (no AWS variable); a job whose name tries path traversal must be refused; every object written must be
/// inside its job's prefixes; and no log of the daemon, sbatch, worker or handler may contain the secrets.
/// </summary>
public sealed class SecurityEndToEndTests(ITestOutputHelper output)
{
    private const string EchoHandler =
        "import json, os, sys\nfor line in sys.stdin:\n    r = json.loads(line)\n    r['argv'] = sys.argv[1:]\n    r['env'] = dict(os.environ)\n    r['exe'] = sys.executable\n    print(json.dumps(r))";

    [SkippableFact]
    public async Task Hostile_handler_values_run_verbatim_the_handler_sees_the_documented_environment_and_no_secret_reaches_any_log()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        await using var stack = new ChaosStack("sec");
        var marker = Path.Combine(stack.Work, "injected");
        var secret = "chaosSECRETkey" + Guid.NewGuid().ToString("N");
        var session = "chaosSESSIONtoken" + Guid.NewGuid().ToString("N");
        stack.Settings["AWS_SECRET_ACCESS_KEY"] = secret;
        stack.Settings["AWS_SESSION_TOKEN"] = session;
        await stack.InitAsync();
        stack.StartDaemon("daemon");

        var hostile = HostileFuzz.Injections(marker);
        // PATH set in the spec: the handler's command must be looked up on it (not on the worker's PATH).
        var handlerEnv = hostile.Take(12).Select((v, i) => ($"H_{i}", v)).Append(("PATH", "/usr/bin:/bin")).ToList();
        var job = stack.JobName("echo");
        var records = ChaosJobs.Records(job, 10, new Random(ChaosMode.Seed));
        await stack.PutObjectAsync($"in/{job}/part-0.jsonl", string.Concat(records.Select(r => r + "\n")));
        await stack.PutJobAsync(ChaosJobs.Item(job, stack.Bucket, maxRecords: 5, spec =>
        {
            spec["handler"]!["M"]!["command"] = L([S("python3"), S("-c"), S(EchoHandler), .. hostile.Select(S)]);
            spec["handler"]!["M"]!["env"] = M([.. handlerEnv.Select(e => (e.Item1, S(e.Item2)))]);
        }));
        // Traversal in the job's key: the item exists in the table, but no job may run under such a name.
        var escape = $"../../{stack.Prefix}-escape";
        await stack.PutJobAsync(ChaosJobs.Item(escape, stack.Bucket, maxRecords: 5));

        var finals = await stack.WaitForAllAsync([job, escape], TimeSpan.FromMinutes(4), ["Succeeded", "Failed", "Invalid"]);
        Assert.True(ChaosStack.Phase(finals[job]) == "Succeeded", ChaosStack.Describe(finals[job]));
        Assert.Equal("Invalid", ChaosStack.Phase(finals[escape]));
        Assert.Contains("name", ChaosStack.Text(finals[escape], "message"), StringComparison.Ordinal);

        // The documented environment (docs/handlers.md, "Environment"): these names exactly, plus every SLURM_* variable
        // of the task (Slurm decides which; the three ids below must be among them), and nothing else.
        var expectedEnv = new SortedSet<string>(StringComparer.Ordinal)
        {
            "LANG", "LC_ALL", "TMPDIR", "OMP_NUM_THREADS",
            "COORDINATOR_JOB", "COORDINATOR_BATCH", "COORDINATOR_ATTEMPT", "COORDINATOR_REJECTS",
        };
        string[] slurmIds = ["SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID"];
        expectedEnv.UnionWith(handlerEnv.Select(e => e.Item1));
        // USER: under --export=NONE Slurm sets it from the job's uid, whether or not the daemon had it (CI shells may not).
        expectedEnv.Add("USER");
        expectedEnv.UnionWith(new[] { "HOME" }.Where(n => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(n))));
        var lines = (await stack.ReadAsync(ChaosStack.Text(finals[job]["output"].M, "uri"))).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(records.Length, lines.Length);
        foreach (var line in lines)
        {
            var record = JsonNode.Parse(line)!.AsObject();
            Assert.Equal(hostile, record["argv"]!.AsArray().Select(a => a!.GetValue<string>()));
            var env = record["env"]!.AsObject();
            var all = env.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
            Assert.All(slurmIds, id => Assert.Contains(id, all));
            var seen = all.Where(n => !n.StartsWith("SLURM_", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
            Assert.True(expectedEnv.SetEquals(seen), $"the handler's environment differs: unexpected {string.Join(',', seen.Except(expectedEnv))}; "
                + $"missing {string.Join(',', expectedEnv.Except(seen))}; PATH {env["PATH"]}; python {record["exe"]}");
            Assert.All(handlerEnv, e => Assert.Equal(e.Item2, env[e.Item1]!.GetValue<string>()));
            Assert.Equal(job, env["COORDINATOR_JOB"]!.GetValue<string>());
            Assert.Equal("/usr/bin/python3", record["exe"]!.GetValue<string>());
        }
        Assert.False(File.Exists(marker), "a hostile handler value was executed");

        var keys = new List<string>();
        var listing = new ListObjectsV2Request { BucketName = stack.Bucket };
        ListObjectsV2Response page;
        do
        {
            page = await stack.S3.ListObjectsV2Async(listing);
            keys.AddRange(page.S3Objects?.Select(o => o.Key) ?? []);
            listing.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
        Assert.All(keys, key => Assert.True(
            key.StartsWith($"in/{job}/", StringComparison.Ordinal) || key.StartsWith($"in/{escape}/", StringComparison.Ordinal)
            || key.StartsWith($"out/{job}/", StringComparison.Ordinal) || key.StartsWith($"jobs/{job}/", StringComparison.Ordinal),
            $"object {key} is outside the job's prefixes"));
        Assert.DoesNotContain(keys, k => k.Contains(stack.Prefix + "-escape", StringComparison.Ordinal) && !k.StartsWith("in/", StringComparison.Ordinal));

        var logs = stack.AllLogs();
        Assert.True(logs.Contains("Dispatched", StringComparison.Ordinal) && Directory.GetFiles(stack.SlurmLogDirectory).Length > 0,
            "the logs scanned must include the daemon's and the Slurm tasks'");
        Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(session, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, string.Join('\n', lines), StringComparison.Ordinal);
        Figures.Record(output, nameof(SecurityEndToEndTests),
            $"hostileArgs={hostile.Count} hostileEnv={handlerEnv.Count} records={lines.Length} objectsChecked={keys.Count} logBytesScanned={logs.Length} "
            + $"slurmLogFiles={Directory.GetFiles(stack.SlurmLogDirectory).Length}");
    }
}
