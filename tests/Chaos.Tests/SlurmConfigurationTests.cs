using Amazon.DynamoDBv2.Model;
using Coordinator.Controllers.Dispatch;
using Xunit.Abstractions;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// A daemon whose Slurm client cannot find its configuration (started without SLURM_CONF on a stack whose slurm.conf
/// is not in /etc/slurm): every squeue fails with "Could not establish a configuration source". The job must say so on
/// its item, with where to look, and not only in the daemon's log; nothing is failed; once the daemon is started as
/// it should be, the job succeeds with every record once.
/// </summary>
public sealed class SlurmConfigurationTests(ITestOutputHelper output)
{
    private static readonly string[] Done = ["Succeeded", "Failed", "Invalid", "Cancelled"];

    [SkippableFact]
    public async Task A_daemon_whose_Slurm_client_finds_no_configuration_says_so_on_the_job_and_the_job_runs_once_it_is_fixed()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        Skip.If(File.Exists("/etc/slurm/slurm.conf"), "this host has /etc/slurm/slurm.conf, so a Slurm client without SLURM_CONF still finds a configuration");
        await using var stack = new ChaosStack("noconf");
        await stack.InitAsync();
        var identity = new Dictionary<string, string?> { ["COORDINATOR_DAEMON__LEADERELECTION__IDENTITY"] = $"{stack.Prefix}-head" };
        var broken = stack.StartDaemon("daemon-noconf", new Dictionary<string, string?>(identity) { ["SLURM_CONF"] = null });
        var job = stack.JobName("job");
        var records = ChaosJobs.Records(job, 6, new Random(ChaosMode.Seed));
        await ChaosJobs.SubmitAsync(stack, job, records, maxRecords: 3);

        Dictionary<string, AttributeValue>? condition = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(90); condition is null; await Task.Delay(500))
        {
            Assert.True(DateTime.UtcNow < deadline,
                $"no SlurmMisconfigured condition within 90 s; status: {ChaosStack.Describe(await stack.StatusAsync(job))}\n{stack.AllLogs()}");
            if (await stack.StatusAsync(job) is { } status && status.TryGetValue("conditions", out var list) && list.L is { } conditions)
            {
                condition = conditions.Select(c => c.M).FirstOrDefault(c => c is not null
                    && ChaosStack.Text(c, "type") == SlurmOutage.ConditionType && ChaosStack.Text(c, "reason") == "SlurmMisconfigured");
            }
        }
        var message = ChaosStack.Text(condition, "message");
        output.WriteLine(message);
        Assert.Equal("False", ChaosStack.Text(condition, "status"));
        Assert.Contains("SLURM_CONF", message, StringComparison.Ordinal);
        Assert.Contains("Could not establish a configuration source", message, StringComparison.Ordinal);
        Assert.NotEqual("Failed", ChaosStack.Phase(await stack.StatusAsync(job)));

        broken.Kill();
        stack.StartDaemon("daemon-fixed", identity);
        var final = (await stack.WaitForAllAsync([job], TimeSpan.FromMinutes(4), Done))[job];
        Assert.Equal("Succeeded", ChaosStack.Phase(final));
        Assert.Equal(records.Length, await ChaosJobs.AssertOutputEqualsInputAsync(stack, job, records, final));
    }
}
