using System.Diagnostics;
using Xunit.Abstractions;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// kill -9 of the daemon at random points while 20 small jobs run on real Slurm, restarting it each time (same lease
/// identity, as a supervised restart on the same head node). Every job must still succeed with its output equal to its
/// input record for record, and the sbatch wrapper's independent log must show no dispatch token submitted twice.
/// </summary>
public sealed class DaemonKillTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Daemon_killed_at_random_points_every_job_succeeds_with_every_record_once_and_no_token_submitted_twice()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        var kills = ChaosMode.Pick(25, 50);
        var jobCount = 20;
        var random = new Random(ChaosMode.Seed);
        await using var stack = new ChaosStack("kill");
        await stack.InitAsync();
        var identity = new Dictionary<string, string?> { ["COORDINATOR_DAEMON__LEADERELECTION__IDENTITY"] = $"{stack.Prefix}-head" };
        var daemon = stack.StartDaemon("daemon-0", identity);
        var clock = Stopwatch.StartNew();

        // The killer runs from the first put to the last kill. Half the kills come at a random time after the process
        // started (often mid-startup or mid-relist, before it leads), half at a random time after it acquired the
        // lease (mid-dispatch, mid-status, mid-aggregation).
        var killed = 0;
        var killedWhileLeading = 0;
        var killedWhileBusy = 0;
        var allDone = false;
        var killer = Task.Run(async () =>
        {
            while (killed < kills)
            {
                if (random.Next(2) == 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(random.Next(300, 4000)));
                }
                else
                {
                    await daemon.WaitForLineAsync("acquired the lease", TimeSpan.FromMinutes(1));
                    await Task.Delay(TimeSpan.FromMilliseconds(random.Next(300, 5000)));
                }
                killedWhileLeading += daemon.FirstLine("acquired the lease") is null ? 0 : 1;
                daemon.Kill();
                killed++;
                killedWhileBusy += Volatile.Read(ref allDone) ? 0 : 1;
                daemon = stack.StartDaemon($"daemon-{killed}", identity);
            }
        });

        var inputs = new Dictionary<string, string[]>();
        for (var i = 0; i < jobCount; i++)
        {
            var job = stack.JobName($"j{i:00}");
            inputs[job] = ChaosJobs.Records(job, random.Next(6, 16), new Random(random.Next()));
            await ChaosJobs.SubmitAsync(stack, job, inputs[job], maxRecords: 4);
        }
        var finals = await stack.WaitForAllAsync(inputs.Keys, ChaosMode.Pick(TimeSpan.FromMinutes(7), TimeSpan.FromMinutes(20)),
            ["Succeeded", "Failed", "Invalid", "Cancelled"], async () =>
            {
                if (killer.IsFaulted)
                {
                    await killer;
                }
                await Task.Delay(1000);
            });
        Volatile.Write(ref allDone, true);
        var jobsDoneAfter = clock.Elapsed;
        await killer;
        // The last daemon, left alive, must not re-dispatch anything once the jobs are done.
        await Task.Delay(TimeSpan.FromSeconds(5));

        var failed = finals.Where(f => ChaosStack.Phase(f.Value) != "Succeeded").ToList();
        Assert.True(failed.Count == 0, string.Join('\n', failed.Select(f => $"{f.Key}: {ChaosStack.Describe(f.Value)}")));
        var compared = 0;
        foreach (var (job, records) in inputs)
        {
            compared += await ChaosJobs.AssertOutputEqualsInputAsync(stack, job, records, finals[job]);
        }
        var calls = stack.SbatchCalls();
        var submitted = calls.Where(c => c.ExitCode == 0).ToList();
        var twice = submitted.GroupBy(c => c.Token).Where(g => g.Count() > 1).ToList();
        Assert.True(twice.Count == 0, "dispatch tokens submitted more than once: "
            + string.Join("; ", twice.Select(g => $"{g.Key}: Slurm jobs {string.Join(',', g.Select(c => c.JobId))}")));
        Assert.All(submitted, c => Assert.StartsWith(stack.Prefix, c.JobName, StringComparison.Ordinal));
        Assert.True(killed >= kills, $"only {killed} kills");
        Figures.Record(output, nameof(DaemonKillTests),
            $"kills={killed} killsWhileLeading={killedWhileLeading} killsWhileJobsRan={killedWhileBusy} jobs={jobCount} succeeded={finals.Count - failed.Count} "
            + $"recordsCompared={compared} sbatchCalls={calls.Count} submissions={submitted.Count} duplicateTokens={twice.Count} "
            + $"jobsDoneAfter={jobsDoneAfter.TotalSeconds:F0}s load={File.ReadAllText("/proc/loadavg").Trim()}");
    }
}
