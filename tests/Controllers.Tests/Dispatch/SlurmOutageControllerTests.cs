using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Tests.Dispatch;

/// <summary>
/// Dispatch and status while Slurm is unavailable (the adapter's retries gave up): the job is marked and backed off
/// with growing delays, nothing is failed, lost or submitted, and the first pass after Slurm is back resumes it.
/// </summary>
public sealed class SlurmOutageControllerTests : IDisposable
{
    private static readonly SchedulerException Refused = new(
        "squeue could not list jobs: Failed while looking for jobs (slurm_load_jobs: Unspecified error)", transient: true, unreachable: true);

    private readonly ControllerFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private static Condition Reachable(Coordinator.Model.Spec.Job job) =>
        Assert.Single(job.Status.Conditions, c => c.Type == SlurmOutage.ConditionType);

    [Fact]
    public async Task Dispatch_WhileSlurmIsDownMarksTheJobAndRequeuesWithGrowingDelaysWithoutSubmitting()
    {
        await _fx.StoredJobAsync("down", 4);
        _fx.Scheduler.Down = Refused;
        var delays = new List<TimeSpan>();
        Coordinator.Model.Spec.Job job = null!;
        for (var pass = 0; pass < 4; pass++)
        {
            (job, var result) = await _fx.PassAsync("down", _fx.Dispatch);
            Assert.False(result.ContinuePipeline);
            delays.Add(result.RequeueAfter!.Value);
            _fx.Clock.Advance(result.RequeueAfter.Value);
        }
        Assert.Equal([1, 2, 4, 8], delays.Select(d => d.TotalSeconds));
        Assert.Empty(_fx.Scheduler.Submitted);
        var condition = Reachable(job);
        Assert.Equal((StatusEditor.False, SlurmOutage.UnavailableReason), (condition.Status, condition.Reason));
        Assert.Contains("failed pass 4, next try in 8 s", condition.Message, StringComparison.Ordinal);
        Assert.Contains("slurm_load_jobs", condition.Message, StringComparison.Ordinal);
        Assert.NotEqual(JobPhase.Failed, job.Status.Phase);
    }

    [Fact]
    public async Task Dispatch_WhenSlurmIsBackSubmitsOnceAndSetsTheConditionTrue()
    {
        await _fx.StoredJobAsync("back", 4);
        _fx.Scheduler.Down = Refused;
        await _fx.PassAsync("back", _fx.Dispatch);
        _fx.Clock.Advance(TimeSpan.FromSeconds(1));
        await _fx.PassAsync("back", _fx.Dispatch);
        _fx.Scheduler.Down = null;
        _fx.Now = _fx.Now.AddSeconds(20);
        _fx.Clock.Advance(TimeSpan.FromSeconds(20));

        var (job, result) = await _fx.PassAsync("back", _fx.Dispatch);
        await _fx.PassAsync("back", _fx.Dispatch);

        Assert.True(result.ContinuePipeline);
        Assert.Equal("0-3", Assert.Single(_fx.Scheduler.Submitted).Request.ArrayIndexes);
        var condition = Reachable(job);
        Assert.Equal((StatusEditor.True, "SlurmAnswered"), (condition.Status, condition.Reason));
        Assert.Contains("after 2 failed passes over 20 s", condition.Message, StringComparison.Ordinal);
        Assert.Equal(JobPhase.Running, job.Status.Phase);
    }

    [Fact]
    public async Task Dispatch_AnOutageAfterTheIntentWasSavedIsRecoveredByTokenNotSubmittedTwice()
    {
        await _fx.StoredJobAsync("intent", 3);
        // sbatch "failed" after slurmctld had accepted the job: the intent is saved, Slurm has the submission.
        _fx.Scheduler.OnSubmit = _ => throw new SchedulerException("sbatch exited with 1: Socket timed out on send/recv operation", transient: true);
        var (failed, result) = await _fx.PassAsync("intent", _fx.Dispatch);
        Assert.Equal(TimeSpan.FromSeconds(1), result.RequeueAfter);
        var token = failed.Status.Dispatch!.Token;
        _fx.Scheduler.OnSubmit = null;
        _fx.Clock.Advance(TimeSpan.FromSeconds(1));
        _fx.Scheduler.Live.Add(new Ports.ScheduledJob("77", "intent", $"{token}@0",
            [.. Enumerable.Range(0, 3).Select(i => new Ports.ScheduledTask("77", i, Ports.SchedulerTaskState.Pending, null))]));

        var (job, _) = await _fx.PassAsync("intent", _fx.Dispatch);

        Assert.Empty(_fx.Scheduler.Submitted);
        Assert.Equal((token, "77"), (job.Status.Dispatch!.Token, job.Status.Dispatch.SlurmJobId));
    }

    [Fact]
    public async Task Dispatch_APermanentSlurmErrorIsNotTreatedAsAnOutage()
    {
        await _fx.StoredJobAsync("perm", 2);
        _fx.Scheduler.Down = new SchedulerException("sbatch exited with 1: invalid partition specified: nope", transient: false);
        await Assert.ThrowsAsync<SchedulerException>(() => _fx.PassAsync("perm", _fx.Dispatch));
    }

    [Fact]
    public async Task Dispatch_ASlurmClientWithoutItsConfigurationMarksTheJobMisconfiguredSaysWhereToLookAndRetriesWithBackoff()
    {
        await _fx.StoredJobAsync("noconf", 2);
        _fx.Scheduler.Down = new SchedulerException(
            "squeue exited with 1: squeue: error: resolve_ctls_from_dns_srv: res_nsearch error: Unknown host\nsqueue: fatal: Could not establish a configuration source",
            transient: false, fault: SchedulerFault.Configuration);
        var delays = new List<TimeSpan>();
        Coordinator.Model.Spec.Job job = null!;
        for (var pass = 0; pass < 3; pass++)
        {
            (job, var result) = await _fx.PassAsync("noconf", _fx.Dispatch);
            delays.Add(result.RequeueAfter!.Value);
            _fx.Clock.Advance(result.RequeueAfter.Value);
        }
        Assert.Equal([1, 2, 4], delays.Select(d => d.TotalSeconds));
        var condition = Reachable(job);
        Assert.Equal((StatusEditor.False, "SlurmMisconfigured"), (condition.Status, condition.Reason));
        Assert.Contains("SLURM_CONF", condition.Message, StringComparison.Ordinal);
        Assert.Contains("Could not establish a configuration source", condition.Message, StringComparison.Ordinal);
        Assert.NotEqual(JobPhase.Failed, job.Status.Phase);
        Assert.Empty(_fx.Scheduler.Submitted);
    }

    [Fact]
    public async Task Dispatch_ASubmissionSlurmRefusesForWhatTheSpecAsksFailsTheJobWithSlurmsMessageAndCancelsItsOtherSubmissions()
    {
        await _fx.StoredJobAsync("badpart", 2);
        _fx.Scheduler.Live.Add(new Ports.ScheduledJob("55", "badpart", "t0@0",
            [new Ports.ScheduledTask("55", 0, Ports.SchedulerTaskState.Pending, null)]));
        _fx.Scheduler.OnSubmit = _ => throw new SchedulerException(
            "sbatch exited with 1: sbatch: error: invalid partition specified: no-such-partition\nsbatch: error: Batch job submission failed: Invalid partition name specified",
            transient: false, fault: SchedulerFault.Refused);

        var (job, result) = await _fx.PassAsync("badpart", _fx.Dispatch);

        Assert.False(result.ContinuePipeline);
        Assert.Equal(JobPhase.Failed, job.Status.Phase);
        var failed = Assert.Single(job.Status.Conditions, c => c.Type == ConditionTypes.Failed);
        Assert.Equal((StatusEditor.True, "SubmitRejected"), (failed.Status, failed.Reason));
        Assert.Contains("Invalid partition name specified", failed.Message, StringComparison.Ordinal);
        Assert.StartsWith("Slurm refused the submission", job.Status.Message, StringComparison.Ordinal);
        Assert.Contains("cancel 55", _fx.Scheduler.Calls);
        Assert.NotNull(job.Status.CompletedAt);
    }

    [Fact]
    public async Task Status_WhileSlurmIsDownDeclaresNoTaskLostAndFailsNothing()
    {
        await _fx.StoredJobAsync("run", 2);
        await _fx.PassAsync("run", _fx.Dispatch);
        // A running task Slurm would no longer list, heartbeat long gone: lost — but not on a squeue that failed.
        await _fx.SetTaskAsync("run", 0, t => { t.State = TaskState.Running; t.Attempt = 1; t.Heartbeat = _fx.Now.AddMinutes(-10); t.Host = "n1"; });
        _fx.Scheduler.Down = Refused;

        var (job, result) = await _fx.PassAsync("run", _fx.Status);
        _fx.Clock.Advance(result.RequeueAfter!.Value);
        var (_, second) = await _fx.PassAsync("run", _fx.Status);

        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)), (result.RequeueAfter, second.RequeueAfter));
        Assert.Equal((TaskState.Running, 1), (_fx.State.Stored("run", 0).State, _fx.State.Stored("run", 0).Attempt));
        Assert.Equal(StatusEditor.False, Reachable(job).Status);
        Assert.Equal(JobPhase.Running, job.Status.Phase);
    }

    [Fact]
    public async Task Status_AndDispatchShareOneCountSoTheDelayKeepsGrowingAcrossControllers()
    {
        await _fx.StoredJobAsync("shared", 2);
        await _fx.PassAsync("shared", _fx.Dispatch);
        _fx.Scheduler.Down = Refused;
        var (_, first) = await _fx.PassAsync("shared", _fx.Dispatch);
        _fx.Clock.Advance(first.RequeueAfter!.Value);
        var (_, second) = await _fx.PassAsync("shared", _fx.Status);
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)), (first.RequeueAfter, second.RequeueAfter));

        _fx.Scheduler.Down = null;
        _fx.Clock.Advance(second.RequeueAfter!.Value);
        var (job, _) = await _fx.PassAsync("shared", _fx.Status);
        Assert.Equal(StatusEditor.True, Reachable(job).Status);
        _fx.Scheduler.Down = Refused;
        var (_, again) = await _fx.PassAsync("shared", _fx.Dispatch);
        Assert.Equal(TimeSpan.FromSeconds(1), again.RequeueAfter);
    }

    [Fact]
    public async Task APassBeforeTheAnnouncedTry_DoesNotAskSlurmAndIsNotCounted()
    {
        await _fx.StoredJobAsync("early", 2);
        _fx.Scheduler.Down = Refused;
        var (_, first) = await _fx.PassAsync("early", _fx.Dispatch);
        Assert.Equal(1, _fx.Scheduler.Refused);

        _fx.Clock.Advance(TimeSpan.FromMilliseconds(300));
        var (job, early) = await _fx.PassAsync("early", _fx.Dispatch);
        var (_, earlyStatus) = await _fx.PassAsync("early", _fx.Status);

        Assert.Equal(1, _fx.Scheduler.Refused);
        Assert.Equal(TimeSpan.FromMilliseconds(700), early.RequeueAfter);
        Assert.Equal(TimeSpan.FromMilliseconds(700), earlyStatus.RequeueAfter);
        Assert.Contains("failed pass 1,", Reachable(job).Message, StringComparison.Ordinal);
        _fx.Clock.Advance(TimeSpan.FromMilliseconds(700));
        var (_, next) = await _fx.PassAsync("early", _fx.Dispatch);
        Assert.Equal((2, TimeSpan.FromSeconds(2)), (_fx.Scheduler.Refused, next.RequeueAfter!.Value));
        Assert.Equal(first.RequeueAfter, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task NoOutage_AddsNoCondition()
    {
        await _fx.StoredJobAsync("calm", 2);
        var (job, _) = await _fx.PassAsync("calm", _fx.Dispatch);
        (job, _) = await _fx.PassAsync("calm", _fx.Status);
        Assert.DoesNotContain(job.Status.Conditions, c => c.Type == SlurmOutage.ConditionType);
    }
}
