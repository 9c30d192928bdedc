using System.Text.Json.Nodes;
using Coordinator.Testing.Processes;
using Xunit.Abstractions;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Two deployments (two sets of tables, two buckets: staging and production, two checkouts) on the one Slurm, each with
/// its own daemon, run jobs of the same names at the same time. Mid-run, deployment A suspends one job (AWS CLI
/// update-item), resumes it, and cancels another (`coordinator cancel`). Every job of B and A's unedited and resumed
/// jobs must succeed with output = input, A's cancelled job ends Cancelled, and wrappers for scancel/scontrol first on
/// each stack's PATH must show that neither deployment (daemon or CLI) touched a Slurm job the other submitted.
/// </summary>
public sealed class TwoDeploymentTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Two_deployments_with_the_same_job_names_on_one_Slurm_finish_their_own_jobs_and_never_touch_each_others()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        var random = new Random(ChaosMode.Seed);
        await using var a = new ChaosStack("depa");
        await using var b = new ChaosStack("depb");
        var actions = Path.Combine(a.Work, "slurm-actions.log");
        SlurmActionLog.Install(a, "a", actions);
        SlurmActionLog.Install(b, "b", actions);
        await a.InitAsync();
        await b.InitAsync();
        var daemonA = a.StartDaemon("deploy-a");
        var daemonB = b.StartDaemon("deploy-b");
        await daemonA.WaitForLineAsync("acquired the lease", TimeSpan.FromMinutes(1));
        await daemonB.WaitForLineAsync("acquired the lease", TimeSpan.FromMinutes(1));

        // The same names in both deployments (under A's prefix, so A's cleanup cancels whatever is left of both).
        string[] names = [a.JobName("j0"), a.JobName("j1"), a.JobName("j2")];
        var suspended = names[0];
        var cancelled = names[1];
        var inputs = new Dictionary<(string Stack, string Job), string[]>();
        foreach (var (stack, tag) in new[] { (a, "a"), (b, "b") })
        {
            foreach (var job in names)
            {
                // Records name their deployment: a batch run by the wrong one would show in the output.
                inputs[(tag, job)] = ChaosJobs.Records($"{job}@{tag}", 24, new Random(random.Next()));
                await ChaosJobs.SubmitAsync(stack, job, inputs[(tag, job)], maxRecords: 2, edit: Slow);
            }
        }

        await WaitForPhaseAsync(a, [suspended, cancelled], "Running", TimeSpan.FromMinutes(2));
        var suspend = SetSuspendAsync(a, suspended, true);
        var cancel = ProcessRunner.RunAsync(ChaosStack.Executable, ["cancel", cancelled], a.Settings, TimeSpan.FromMinutes(2));
        (await suspend).EnsureSuccess("aws dynamodb update-item (suspend)");
        var cancelOutput = (await cancel).EnsureSuccess("coordinator cancel").StandardOutput;
        Assert.Contains("cancelled (", cancelOutput, StringComparison.Ordinal);
        await WaitForPhaseAsync(a, [suspended], "Suspended", TimeSpan.FromMinutes(1));
        await Task.Delay(TimeSpan.FromSeconds(5)); // B's same-named job runs on meanwhile
        var resume = await SetSuspendAsync(a, suspended, false);
        resume.EnsureSuccess("aws dynamodb update-item (resume)");

        string[] ended = ["Succeeded", "Failed", "Invalid", "Cancelled"];
        var finalsA = await a.WaitForAllAsync(names, TimeSpan.FromMinutes(6), ended);
        var finalsB = await b.WaitForAllAsync(names, TimeSpan.FromMinutes(6), ended);
        var calls = SlurmActionLog.Read(actions);
        var submittedBy = new Dictionary<string, HashSet<string>>
        {
            ["a"] = [.. a.SbatchCalls().Where(c => c.ExitCode == 0).Select(c => c.JobId)],
            ["b"] = [.. b.SbatchCalls().Where(c => c.ExitCode == 0).Select(c => c.JobId)],
        };
        var touching = calls.Where(c => c.JobId is not null).ToList();
        var foreign = touching.Where(c => !submittedBy[c.Actor].Contains(c.JobId!)).ToList();
        var squeues = calls.Where(c => c.Program == "squeue").GroupBy(c => c.Actor).ToDictionary(g => g.Key, g => g.Count());
        var summary = $"actions={string.Join(", ", touching.GroupBy(c => $"{c.Actor}:{c.Action}").Select(g => $"{g.Key}={g.Count()}"))} "
            + $"foreign={foreign.Count} squeue a={squeues.GetValueOrDefault("a")} b={squeues.GetValueOrDefault("b")} "
            + $"submissions a={submittedBy["a"].Count} b={submittedBy["b"].Count}";
        output.WriteLine(summary);

        Assert.True(foreign.Count == 0, "Slurm jobs acted on by a deployment that did not submit them: "
            + string.Join("; ", foreign.Select(c => $"{c.Actor}: {c.Program} {c.Argv} (a submitted {string.Join(",", submittedBy["a"])}, b submitted {string.Join(",", submittedBy["b"])})")));
        Assert.Contains(touching, c => c is { Actor: "a", Action: "scontrol hold" });
        Assert.Contains(touching, c => c is { Actor: "a", Program: "scancel" });
        // Seen once in three runs of this version (not diagnosed, logs not kept): the cancelled job ended Succeeded. Say everything.
        Assert.True(ChaosStack.Phase(finalsA[cancelled]) == "Cancelled",
            $"{cancelled} (cancelled: \"{cancelOutput.Trim()}\") ended {ChaosStack.Describe(finalsA[cancelled])}\n"
            + string.Join('\n', daemonA.Lines.Where(l => l.Line.Contains(cancelled, StringComparison.Ordinal)).TakeLast(80).Select(l => $"{l.At:HH:mm:ss.fff} {l.Line}")));
        var compared = 0;
        foreach (var ((tag, job), records) in inputs)
        {
            var final = (tag == "a" ? finalsA : finalsB)[job];
            if (tag == "a" && job == cancelled)
            {
                continue;
            }
            Assert.True(ChaosStack.Phase(final) == "Succeeded", $"{tag}/{job}: {ChaosStack.Describe(final)}");
            compared += await ChaosJobs.AssertOutputEqualsInputAsync(tag == "a" ? a : b, job, records, final);
        }
        Figures.Record(output, nameof(TwoDeploymentTests),
            $"jobs=2x{names.Length} recordsCompared={compared} {summary} load={File.ReadAllText("/proc/loadavg").Trim()}");
    }

    /// <summary>12 batches of 2 records, 2 at a time, 4 s each: the jobs are still running when they are edited.</summary>
    private static void Slow(JsonObject spec)
    {
        spec["handler"]!["M"]!["command"] = L(S("sh"), S("-c"), S("sleep 4; exec cat"));
        spec["slurm"]!["M"]!["maxConcurrent"] = N(2);
    }

    /// <summary>A user's spec edit, as the README shows it: `aws dynamodb update-item` of spec.suspend.</summary>
    private static Task<ProcessResult> SetSuspendAsync(ChaosStack stack, string job, bool suspend) =>
        ProcessRunner.RunAsync("aws", ["dynamodb", "update-item", "--table-name", stack.JobsTable, "--key", "{\"name\": {\"S\": \"" + job + "\"}}",
            "--update-expression", "SET spec.suspend = :s", "--expression-attribute-values", "{\":s\": {\"BOOL\": " + (suspend ? "true" : "false") + "}}"],
            stack.Settings, TimeSpan.FromMinutes(1));

    private static async Task WaitForPhaseAsync(ChaosStack stack, string[] jobs, string phase, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        foreach (var job in jobs)
        {
            while (ChaosStack.Phase(await stack.StatusAsync(job)) != phase)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{job} not {phase} after {limit}: {ChaosStack.Describe(await stack.StatusAsync(job))}");
                await Task.Delay(250);
            }
        }
    }
}
