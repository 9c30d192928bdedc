using System.Text.Json.Nodes;
using Xunit.Abstractions;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Issue 16 hole 4: the daemon's credentials must not reach a handler by any path it can read. The daemon runs with
/// distinctive dummy AWS credentials (moto accepts any); a Python handler dumps its own environment, the
/// /proc/PID/environ and command line of every ancestor it can read (the worker, the batch script, slurmstepd, ...)
/// and every file under ~/.aws, into each output record. The daemon's secret and session token must appear nowhere in
/// that dump, while the walk must have reached the worker itself and found there the worker's own credentials, given
/// by Slurm:WorkerEnvironment (so a dump that saw nothing cannot pass); the handler's own environment has no AWS_*.
/// </summary>
public sealed class WorkerCredentialsTests(ITestOutputHelper output)
{
    private const string DumpHandler = """
        import json, os, sys
        def read(path):
            try:
                with open(path, 'rb') as f:
                    return f.read().decode('utf-8', 'replace')
            except Exception as e:
                return 'unreadable: ' + repr(e)
        ancestors = []
        pid = os.getppid()
        while pid > 1:
            status = read('/proc/%d/status' % pid)
            ancestors.append({'pid': pid, 'cmdline': read('/proc/%d/cmdline' % pid).replace('\0', ' '), 'environ': read('/proc/%d/environ' % pid).split('\0')})
            ppid = [l.split()[1] for l in status.splitlines() if l.startswith('PPid:')]
            pid = int(ppid[0]) if ppid else 0
        aws = {}
        for root, dirs, files in os.walk(os.path.expanduser('~/.aws')):
            for name in files:
                aws[os.path.join(root, name)] = read(os.path.join(root, name))
        dump = {'env': dict(os.environ), 'ancestors': ancestors, 'aws': aws}
        for line in sys.stdin:
            r = json.loads(line)
            r['dump'] = dump
            print(json.dumps(r))
        """;

    [SkippableFact]
    public async Task The_daemon_secret_reaches_no_handler_environment_no_ancestor_environ_and_no_aws_file()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        await using var stack = new ChaosStack("cred");
        var secret = "daemon-secret-" + Guid.NewGuid().ToString("N");
        var session = "daemon-session-" + Guid.NewGuid().ToString("N");
        stack.Settings["AWS_SECRET_ACCESS_KEY"] = secret;
        stack.Settings["AWS_SESSION_TOKEN"] = session;
        // The worker's own (dummy) credentials, given as an administrator would: Slurm:WorkerEnvironment.
        var workerSecret = "worker-secret-" + Guid.NewGuid().ToString("N");
        stack.Settings["COORDINATOR__SLURM__WORKERENVIRONMENT__AWS_SECRET_ACCESS_KEY"] = workerSecret;
        await stack.InitAsync();
        stack.StartDaemon("daemon");

        var job = stack.JobName("dump");
        var records = ChaosJobs.Records(job, 4, new Random(ChaosMode.Seed));
        await ChaosJobs.SubmitAsync(stack, job, records, maxRecords: 2,
            spec => spec["handler"]!["M"]!["command"] = L(S("python3"), S("-c"), S(DumpHandler)));

        var finals = await stack.WaitForAllAsync([job], TimeSpan.FromMinutes(3), ["Succeeded", "Failed", "Invalid"]);
        Assert.True(ChaosStack.Phase(finals[job]) == "Succeeded", ChaosStack.Describe(finals[job]));
        var text = await stack.ReadAsync(ChaosStack.Text(finals[job]["output"].M, "uri"));
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(records.Length, lines.Length);

        var ancestorsSeen = 0;
        foreach (var line in lines)
        {
            var dump = JsonNode.Parse(line)!["dump"]!;
            var ancestors = dump["ancestors"]!.AsArray();
            var worker = ancestors.FirstOrDefault(a => a!["cmdline"]!.GetValue<string>().Contains(" worker ", StringComparison.Ordinal));
            Assert.True(worker is not null, "the handler's ancestors do not include the worker: " + string.Join(" <- ", ancestors.Select(a => a!["cmdline"])));
            Assert.Contains(worker!["environ"]!.AsArray(), v => v!.GetValue<string>().StartsWith("SLURM_JOB_ID=", StringComparison.Ordinal));
            // The walk reads what a worker holds: its own credentials from the setting (and a handler can read them:
            // whatever the worker can do, a handler can), but they are not handed to the handler's environment.
            Assert.Contains(worker["environ"]!.AsArray(), v => v!.GetValue<string>() == "AWS_SECRET_ACCESS_KEY=" + workerSecret);
            Assert.DoesNotContain(workerSecret, dump["env"]!.ToJsonString(), StringComparison.Ordinal);
            Assert.DoesNotContain(dump["env"]!.AsObject(), e => e.Key.StartsWith("AWS_", StringComparison.Ordinal));
            ancestorsSeen = Math.Max(ancestorsSeen, ancestors.Count);
            var leaks = ancestors.Select(a => a!)
                .Where(a => a.ToJsonString().Contains(secret, StringComparison.Ordinal) || a.ToJsonString().Contains(session, StringComparison.Ordinal))
                .Select(a => $"{a["pid"]} {a["cmdline"]}: " + string.Join(' ', a["environ"]!.AsArray().Select(v => v!.GetValue<string>()).Where(v => v.StartsWith("AWS_", StringComparison.Ordinal))))
                .ToList();
            Assert.True(leaks.Count == 0, "the daemon's secret is readable in the environ of the handler's ancestors: " + string.Join(" | ", leaks));
            Assert.DoesNotContain(secret, dump["env"]!.ToJsonString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, dump["aws"]!.ToJsonString(), StringComparison.Ordinal);
        }
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(session, text, StringComparison.Ordinal);
        Figures.Record(output, nameof(WorkerCredentialsTests), $"records={lines.Length} ancestorsWalked={ancestorsSeen} dumpBytes={text.Length}");
    }
}
