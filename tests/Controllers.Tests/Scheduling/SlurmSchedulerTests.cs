using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Coordinator.Scheduling.Commands;
using Coordinator.Scheduling.Slurm;
using Coordinator.Testing.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Controllers.Tests.Scheduling;

/// <summary>Unit tests of the adapter's retry and parsing with a scripted runner; the real Slurm is in Integration.Tests/Slurm.</summary>
public sealed class SlurmSchedulerTests
{
    private static SlurmScheduler Scheduler(ScriptedRunner runner) =>
        new(runner, NullLogger<SlurmScheduler>.Instance, CoordinatorMetrics.NoOp(), "test", maxRetryAttempts: 3, retryDelay: TimeSpan.FromMilliseconds(1));

    [Fact]
    public async Task Submit_RetriesTransientErrorsLookingForTheTokenBeforeEachRetryThenReturnsTheJobId()
    {
        const string NotThere = """{"errors": [], "jobs": []}""";
        var runner = new ScriptedRunner(
            new CommandResult(1, "", "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation"),
            new CommandResult(0, NotThere, ""),
            new CommandResult(1, "", "sbatch: error: Batch job submission failed: Resource temporarily unavailable"),
            new CommandResult(0, NotThere, ""),
            new CommandResult(0, "4242;cluster\n", ""));
        var id = await Scheduler(runner).SubmitAsync(BatchScriptBuilderTests.Request(["w"], new Dictionary<string, string>()), default);
        Assert.Equal("4242", id);
        Assert.Equal(["sbatch", "squeue", "sbatch", "squeue", "sbatch"], runner.Calls.Select(c => c.Program));
        Assert.StartsWith("#!/bin/sh", runner.Calls[0].Stdin, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_PermanentErrorFailsAtOnceWithSlurmsMessage()
    {
        var runner = new ScriptedRunner(new CommandResult(1, "", "sbatch: error: invalid partition specified: nope"));
        var error = await Assert.ThrowsAsync<SchedulerException>(() =>
            Scheduler(runner).SubmitAsync(BatchScriptBuilderTests.Request(["w"], new Dictionary<string, string>()), default));
        Assert.False(error.Transient);
        Assert.Contains("invalid partition", error.Message, StringComparison.Ordinal);
        Assert.Single(runner.Calls);
    }

    [Fact]
    public async Task List_GivesUpAfterAllRetriesWhenSlurmKeepsTimingOut()
    {
        var runner = new ScriptedRunner(new CommandResult(1, "", "slurm_load_jobs error: Socket timed out on send/recv operation"));
        var error = await Assert.ThrowsAsync<SchedulerException>(() => Scheduler(runner).ListAsync("j", default));
        Assert.True(error.Transient);
        Assert.False(error.Unreachable);
        Assert.Equal(4, runner.Calls.Count);
    }

    [Fact]
    public async Task List_AnUnreachableControllerIsNotRetriedInsideTheCallByDefault()
    {
        var runner = new ScriptedRunner(new CommandResult(1, "", "slurm_load_jobs error: Unable to contact slurm controller (connect failure)"));
        var error = await Assert.ThrowsAsync<SchedulerException>(() => Scheduler(runner).ListAsync("j", default));
        Assert.True(error.Transient && error.Unreachable);
        Assert.Single(runner.Calls);
    }

    [Fact]
    public async Task List_OutputThatIsNotJsonIsATransientErrorNamingSqueue()
    {
        var runner = new ScriptedRunner(new CommandResult(0, "{\"jobs\": [", ""));
        var error = await Assert.ThrowsAsync<SchedulerException>(() => Scheduler(runner).ListAsync("j", default));
        Assert.True(error.Transient);
        Assert.StartsWith("squeue printed output that is not JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateThrottle_CallsScontrolWithSeparateArguments()
    {
        var runner = new ScriptedRunner(new CommandResult(0, Listing77, ""), new CommandResult(0, "", ""));
        var scheduler = Scheduler(runner);
        await scheduler.ListAsync(null, default);
        await scheduler.UpdateThrottleAsync("77", 3, default);
        Assert.Equal(["update", "JobId=77", "ArrayTaskThrottle=3"], runner.Calls[1].Args);
    }

    /// <summary>This deployment's ("test") array 77, as squeue lists it.</summary>
    private const string Listing77 = """{"errors": [], "jobs": [{"job_id": 77, "name": "j", "comment": "test/t@0", "job_state": "PENDING", "array_task_string": "0-5"}]}""";

    [Theory]
    [InlineData("hold", "1141_0-1: Job has already finished\n1141_2-5: No error\n")]
    [InlineData("hold", "77_0-5: Job has already finished")]
    [InlineData("release", "77_0-1: Job has already finished 77_2-5: No error")]
    [InlineData("cancel", "scancel: error: Kill job error on job id 77: Job/step already completing or completed")]
    public async Task Acting_on_an_array_whose_tasks_ended_meanwhile_is_not_an_error(string action, string stderr)
    {
        var runner = new ScriptedRunner(new CommandResult(0, Listing77, ""), new CommandResult(1, "", stderr));
        var scheduler = Scheduler(runner);
        await scheduler.ListAsync(null, default);
        await (action switch
        {
            "hold" => scheduler.HoldAsync("77", default),
            "release" => scheduler.ReleaseAsync("77", default),
            _ => scheduler.CancelAsync("77", default),
        });
        Assert.Equal(2, runner.Calls.Count);
    }

    [Fact]
    public async Task Acting_on_an_array_still_fails_on_any_other_error()
    {
        var runner = new ScriptedRunner(new CommandResult(0, Listing77, ""), new CommandResult(1, "", "77_0-1: Job has already finished\n77_2: Access/permission denied\n"));
        var scheduler = Scheduler(runner);
        await scheduler.ListAsync(null, default);
        var error = await Assert.ThrowsAsync<SchedulerException>(() => scheduler.HoldAsync("77", default));
        Assert.Contains("permission denied", error.Message, StringComparison.Ordinal);
    }

    /// <summary>What squeue 22.05 prints, with exit code 0, when slurmctld is stopped (seen on this machine).</summary>
    internal const string SqueueControllerDown = """
        {"meta": {"plugin": {"type": "openapi/v0.0.38"}},
         "errors": [{"description": "Failed while looking for jobs", "error_number": -1, "error": "Unspecified error", "source": "slurm_load_jobs"}],
         "jobs": []}
        """;

    [Fact]
    public async Task List_AnSqueueThatExitsZeroWithErrorsIsAnUnreachableControllerNotAnEmptyQueue()
    {
        var runner = new ScriptedRunner(new CommandResult(0, SqueueControllerDown, ""));
        var error = await Assert.ThrowsAsync<SchedulerException>(() => Scheduler(runner).ListAsync("j", default));
        Assert.True(error.Transient && error.Unreachable);
        Assert.Contains("Failed while looking for jobs (slurm_load_jobs: Unspecified error)", error.Message, StringComparison.Ordinal);
        // The Slurm client already retried the connection for its MessageTimeout: no retry inside the call, the controllers back off.
        Assert.Single(runner.Calls);
    }

    [Fact]
    public async Task List_RetriesAnUnreachableControllerInsideTheCallWhenConfiguredTo()
    {
        var runner = new ScriptedRunner(
            new CommandResult(0, SqueueControllerDown, ""),
            new CommandResult(0, """{"errors": [], "jobs": [{"job_id": 5, "name": "j", "comment": "test/t@0", "job_state": "RUNNING"}]}""", ""));
        var scheduler = new SlurmScheduler(runner, NullLogger<SlurmScheduler>.Instance, CoordinatorMetrics.NoOp(), "test", maxRetryAttempts: 3, retryDelay: TimeSpan.FromMilliseconds(1),
            unreachableRetries: 1);
        var jobs = await scheduler.ListAsync("j", default);
        Assert.Equal("5", Assert.Single(jobs).JobId);
    }

    [Fact]
    public async Task Submit_AfterAnAmbiguousFailureFindsTheSubmissionByItsCommentInsteadOfSubmittingAgain()
    {
        var request = BatchScriptBuilderTests.Request(["w"], new Dictionary<string, string>());
        var runner = new ScriptedRunner(
            new CommandResult(1, "", "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation"),
            new CommandResult(0, $$"""{"errors": [], "jobs": [{"job_id": 9, "name": "{{request.JobName}}", "comment": "test/{{request.Token}}", "job_state": "PENDING", "array_task_string": "0-3"}]}""", ""));
        var id = await Scheduler(runner).SubmitAsync(request, default);
        Assert.Equal("9", id);
        Assert.Equal(["sbatch", "squeue"], runner.Calls.Select(c => c.Program));
        Assert.Equal(["--json", "--me", $"--name={request.JobName}"], runner.Calls[1].Args);
    }

    [Fact]
    public async Task Submit_SubmitsAgainWhenSqueueDoesNotShowTheComment()
    {
        var request = BatchScriptBuilderTests.Request(["w"], new Dictionary<string, string>());
        var runner = new ScriptedRunner(
            new CommandResult(1, "", "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation"),
            new CommandResult(0, """{"errors": [], "jobs": [{"job_id": 3, "name": "other", "comment": "x@0", "job_state": "PENDING"}]}""", ""),
            new CommandResult(0, "10\n", ""));
        Assert.Equal("10", await Scheduler(runner).SubmitAsync(request, default));
        Assert.Equal(["sbatch", "squeue", "sbatch"], runner.Calls.Select(c => c.Program));
    }

    [Fact]
    public async Task Submit_AnUnreachableControllerSurfacesAsUnreachableWithoutASecondSbatch()
    {
        var runner = new ScriptedRunner(new CommandResult(1, "", "sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)"));
        var error = await Assert.ThrowsAsync<SchedulerException>(() =>
            Scheduler(runner).SubmitAsync(BatchScriptBuilderTests.Request(["w"], new Dictionary<string, string>()), default));
        Assert.True(error.Transient && error.Unreachable);
        Assert.Equal(["sbatch"], runner.Calls.Select(c => c.Program));
    }

    [Fact]
    public async Task Circuit_AfterTwoUnreachableCallsFurtherCallsFailAtOnceWithoutRunningSlurm()
    {
        var runner = new ScriptedRunner(new CommandResult(1, "", "slurm_load_jobs error: Unable to contact slurm controller (connect failure)"));
        var scheduler = new SlurmScheduler(runner, NullLogger<SlurmScheduler>.Instance, CoordinatorMetrics.NoOp(), "test", retryDelay: TimeSpan.FromMilliseconds(1),
            breakDuration: TimeSpan.FromMinutes(10));
        await Assert.ThrowsAsync<SchedulerException>(() => scheduler.ListAsync("j", default));
        await Assert.ThrowsAsync<SchedulerException>(() => scheduler.ListAsync("j", default));

        var fast = await Assert.ThrowsAsync<SchedulerException>(() => scheduler.SubmitAsync(BatchScriptBuilderTests.Request(["w"], new Dictionary<string, string>()), default));

        Assert.Equal(2, runner.Calls.Count);
        Assert.True(fast.Transient && fast.Unreachable);
        Assert.StartsWith("Slurm unreachable: not asked again for up to 600 s", fast.Message, StringComparison.Ordinal);
        Assert.Contains("Unable to contact slurm controller", fast.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Circuit_OneProbeAfterTheBreakClosesItWhenSlurmAnswers()
    {
        var runner = new ScriptedRunner(
            new CommandResult(0, SqueueControllerDown, ""),
            new CommandResult(0, SqueueControllerDown, ""),
            new CommandResult(0, """{"errors": [], "jobs": []}""", ""));
        var scheduler = new SlurmScheduler(runner, NullLogger<SlurmScheduler>.Instance, CoordinatorMetrics.NoOp(), "test", retryDelay: TimeSpan.FromMilliseconds(1),
            breakDuration: TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAsync<SchedulerException>(() => scheduler.ListAsync("j", default));
        await Assert.ThrowsAsync<SchedulerException>(() => scheduler.ListAsync("j", default));
        Assert.Equal(2, runner.Calls.Count);

        // Open now (the fail-fast itself is the test above, with a break long enough not to race this machine's load).
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        Assert.Empty(await scheduler.ListAsync("j", default));
        Assert.Empty(await scheduler.ListAsync("j", default));
        Assert.Equal(4, runner.Calls.Count);
    }

    [Fact]
    public async Task Circuit_OtherTransientErrorsDoNotOpenIt()
    {
        var runner = new ScriptedRunner(new CommandResult(1, "", "slurm_load_jobs error: Socket timed out on send/recv operation"));
        var scheduler = Scheduler(runner);
        for (var i = 0; i < 3; i++)
        {
            var error = await Assert.ThrowsAsync<SchedulerException>(() => scheduler.ListAsync("j", default));
            Assert.False(error.Unreachable);
        }
        Assert.Equal(12, runner.Calls.Count);
    }

    /// <summary>
    /// One user's squeue on a shared cluster: this deployment's submission of job "j", another deployment's
    /// same-named one (staging beside production), and one with a pre-deployment comment ("{token}@{offset}").
    /// </summary>
    private const string SharedQueue = """
        {"errors": [], "jobs": [
          {"job_id": 7, "array_job_id": 7, "name": "j", "comment": "prod/tokA@0", "job_state": "PENDING", "array_task_string": "0-3"},
          {"job_id": 8, "array_job_id": 8, "array_task_id": 0, "name": "j", "comment": "staging/tokB@0", "job_state": "RUNNING"},
          {"job_id": 9, "array_job_id": 9, "array_task_id": 1, "name": "j", "comment": "tokC@0", "job_state": "RUNNING"}]}
        """;

    [Fact]
    public async Task One_array_task_is_cancelled_only_when_its_array_is_this_deployments()
    {
        var runner = new ScriptedRunner(new CommandResult(0, SharedQueue, ""), new CommandResult(0, "", ""));
        var scheduler = new SlurmScheduler(runner, NullLogger<SlurmScheduler>.Instance, CoordinatorMetrics.NoOp(), "prod", maxRetryAttempts: 1, retryDelay: TimeSpan.FromMilliseconds(1));
        await scheduler.ListAsync("j", default);

        await Assert.ThrowsAsync<SchedulerException>(() => scheduler.CancelAsync("8_0", default));
        await scheduler.CancelAsync("7_2", default);

        Assert.Equal(2, runner.Calls.Count);
        Assert.Equal(("scancel", "7_2"), (runner.Calls[1].Program, runner.Calls[1].Args[0]));
    }

    [Fact]
    public async Task A_listing_holds_only_this_deployments_submissions_by_this_user_and_no_other_is_ever_cancelled_or_held()
    {
        var runner = new ScriptedRunner(new CommandResult(0, SharedQueue, ""), new CommandResult(0, "", ""), new CommandResult(0, "4242\n", ""));
        var scheduler = new SlurmScheduler(runner, NullLogger<SlurmScheduler>.Instance, CoordinatorMetrics.NoOp(), "prod", maxRetryAttempts: 1, retryDelay: TimeSpan.FromMilliseconds(1));

        var listed = await scheduler.ListAsync("j", default);

        Assert.Contains("--me", runner.Calls[0].Args);
        var mine = Assert.Single(listed);
        Assert.Equal(("7", "tokA@0", 4), (mine.JobId, mine.Comment, mine.Tasks.Count));
        foreach (var foreign in new[] { "8", "9" })
        {
            await Assert.ThrowsAsync<SchedulerException>(() => scheduler.CancelAsync(foreign, default));
            await Assert.ThrowsAsync<SchedulerException>(() => scheduler.HoldAsync(foreign, default));
            await Assert.ThrowsAsync<SchedulerException>(() => scheduler.ReleaseAsync(foreign, default));
            await Assert.ThrowsAsync<SchedulerException>(() => scheduler.UpdateThrottleAsync(foreign, 2, default));
        }
        Assert.Single(runner.Calls);
        await scheduler.CancelAsync("7", default);
        Assert.Equal(("scancel", "7"), (runner.Calls[1].Program, runner.Calls[1].Args[0]));

        var request = BatchScriptBuilderTests.Request(["w"], new Dictionary<string, string>());
        Assert.Equal("4242", await scheduler.SubmitAsync(request, default));
        Assert.Contains($"--comment=prod/{request.Token}", runner.Calls[2].Args);
    }

    [Theory]
    [InlineData("sbatch: error: invalid partition specified: no-such-partition\nsbatch: error: Batch job submission failed: Invalid partition name specified")]
    [InlineData("sbatch: error: Invalid generic resource (gres) specification")]
    [InlineData("sbatch: error: Memory specification can not be satisfied\nsbatch: error: Batch job submission failed: Requested node configuration is not available")]
    [InlineData("sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified")]
    [InlineData("sbatch: error: Batch job submission failed: Invalid qos specification")]
    public async Task Submit_ARefusalOfWhatTheSpecAsksForIsARefusedFaultWithSlurmsWordsAndIsNotRetried(string stderr)
    {
        var runner = new ScriptedRunner(new CommandResult(1, "", stderr));
        var error = await Assert.ThrowsAsync<SchedulerException>(() =>
            Scheduler(runner).SubmitAsync(BatchScriptBuilderTests.Request(["w"], new Dictionary<string, string>()), default));
        Assert.Equal(SchedulerFault.Refused, error.Fault);
        Assert.Contains(stderr.Split('\n')[^1], error.Message, StringComparison.Ordinal);
        Assert.Single(runner.Calls);
    }

    [Fact]
    public async Task List_ASlurmClientThatFindsNoConfigurationIsAConfigurationFaultNotRetriedNorAnOutage()
    {
        var runner = new ScriptedRunner(new CommandResult(1, "",
            "squeue: error: resolve_ctls_from_dns_srv: res_nsearch error: Unknown host\nsqueue: error: fetch_config: DNS SRV lookup failed\n" +
            "squeue: error: _establish_config_source: failed to fetch config\nsqueue: fatal: Could not establish a configuration source"));
        var error = await Assert.ThrowsAsync<SchedulerException>(() => Scheduler(runner).ListAsync("j", default));
        Assert.Equal(SchedulerFault.Configuration, error.Fault);
        Assert.False(error.Transient);
        Assert.Contains("Could not establish a configuration source", error.Message, StringComparison.Ordinal);
        Assert.Single(runner.Calls);
    }

    [Fact]
    public async Task A_Slurm_command_that_is_not_installed_is_a_configuration_fault()
    {
        var error = await Assert.ThrowsAsync<SchedulerException>(() =>
            new ProcessCommandRunner().RunAsync("no-such-slurm-command-7f3a", [], null, default));
        Assert.Equal(SchedulerFault.Configuration, error.Fault);
        Assert.Contains("no-such-slurm-command-7f3a", error.Message, StringComparison.Ordinal);
    }
}
