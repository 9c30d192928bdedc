using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Tasks;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Tests.Dispatch;

/// <summary>
/// Issue 15, path 3: a submission whose Slurm task ends without any worker claiming its batch is counted on the task
/// item; at Dispatch:MaxUnclaimedSubmissions the batch fails with the Slurm task's stderr, instead of being submitted
/// again forever.
/// </summary>
public sealed class UnclaimedSubmissionsTests : IDisposable
{
    private const string NotFound = "/spool/job00867/slurm_script: 3: exec: /nonexistent/coordinator: not found";
    private readonly ControllerFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public async Task An_array_batch_no_worker_claims_fails_after_three_submissions_with_the_tasks_stderr_and_then_the_job_fails()
    {
        await _fx.StoredJobAsync("never", 2);
        for (var round = 1; round <= 3; round++)
        {
            await _fx.PassAsync("never", _fx.Dispatch);
            Assert.Equal(round, _fx.Scheduler.Submitted.Count);
            WriteStderr("never", _fx.Scheduler.Submitted[^1].Id, 0, 1);
            _fx.Scheduler.End("node1");
        }
        var (job, _) = await _fx.PassAsync("never", _fx.Dispatch);

        Assert.Equal(3, _fx.Scheduler.Submitted.Count);
        foreach (var index in new[] { 0, 1 })
        {
            var task = _fx.State.Stored("never", index);
            Assert.Equal((TaskState.Failed, TaskVerdict.FailBatch, 0, 3), (task.State, task.Verdict, task.Attempt, task.UnclaimedSubmissions));
            Assert.StartsWith($"NeverStarted: the worker never started on node1: {NotFound}; 3 submissions in a row", task.Reason, StringComparison.Ordinal);
            Assert.Contains($"Slurm job 102_{index}", task.Reason, StringComparison.Ordinal);
            Assert.Contains(NotFound, task.StderrTail, StringComparison.Ordinal);
        }
        (job, _) = await _fx.PassAsync("never", _fx.Status);
        Assert.Equal(JobPhase.Failed, job.Status.Phase);
        Assert.Contains("batch 0: NeverStarted: the worker never started on node1", job.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Counts_are_kept_on_the_task_item_and_a_claim_resets_them()
    {
        await _fx.StoredJobAsync("flaky", 1);
        await _fx.PassAsync("flaky", _fx.Dispatch);
        _fx.Scheduler.End("node1");
        await _fx.PassAsync("flaky", _fx.Dispatch);
        Assert.Equal((2, 1), (_fx.Scheduler.Submitted.Count, _fx.State.Stored("flaky", 0).UnclaimedSubmissions));

        // The second submission starts a worker that claims the batch and is disrupted (uncounted, back to Pending).
        await _fx.SetTaskAsync("flaky", 0, t => TaskTransitions.Claim(t, "node1", "103", "0", _fx.Now));
        await _fx.SetTaskAsync("flaky", 0, t => { t.State = TaskState.Pending; t.Attempt = 0; });
        _fx.Scheduler.End("node1");
        await _fx.PassAsync("flaky", _fx.Dispatch);
        Assert.Equal((3, 0), (_fx.Scheduler.Submitted.Count, _fx.State.Stored("flaky", 0).UnclaimedSubmissions));
    }

    [Fact]
    public async Task A_batch_that_succeeded_or_is_still_queued_is_not_counted()
    {
        await _fx.StoredJobAsync("fine", 2);
        await _fx.PassAsync("fine", _fx.Dispatch);
        await _fx.PassAsync("fine", _fx.Dispatch);
        await _fx.SetTaskAsync("fine", 0, t => { TaskTransitions.Claim(t, "node1", "102", "0", _fx.Now); t.State = TaskState.Succeeded; });
        _fx.Scheduler.End("node1", SchedulerTaskState.Completed);
        await _fx.SetTaskAsync("fine", 1, t => t.NotBefore = _fx.Now.AddMinutes(1)); // a version change: not the submitted item
        await _fx.PassAsync("fine", _fx.Dispatch);
        Assert.Equal((0, 0), (_fx.State.Stored("fine", 0).UnclaimedSubmissions, _fx.State.Stored("fine", 1).UnclaimedSubmissions));
        Assert.Single(_fx.Scheduler.Submitted);
    }

    [Fact]
    public async Task Pilots_count_only_when_none_of_their_batches_was_claimed()
    {
        void Pilot(JobSpec s)
        {
            s.Dispatch.Mode = DispatchMode.Pilot;
            s.Dispatch.Workers = 2;
        }
        await _fx.StoredJobAsync("pilots", 3, Pilot);
        await _fx.PassAsync("pilots", _fx.Dispatch);
        await _fx.SetTaskAsync("pilots", 0, t => { TaskTransitions.Claim(t, "node1", "102", "0", _fx.Now); t.State = TaskState.Succeeded; });
        _fx.Scheduler.End("node1", SchedulerTaskState.Timeout);
        await _fx.PassAsync("pilots", _fx.Dispatch);
        Assert.Equal(2, _fx.Scheduler.Submitted.Count);
        Assert.All(new[] { 1, 2 }, i => Assert.Equal(0, _fx.State.Stored("pilots", i).UnclaimedSubmissions));

        for (var round = 1; round <= 3; round++)
        {
            WriteStderr("pilots", _fx.Scheduler.Submitted[^1].Id, 0);
            _fx.Scheduler.End("node2");
            await _fx.PassAsync("pilots", _fx.Dispatch);
            Assert.All(new[] { 1, 2 }, i => Assert.Equal(round, _fx.State.Stored("pilots", i).UnclaimedSubmissions));
        }
        Assert.Equal(4, _fx.Scheduler.Submitted.Count);
        Assert.All(new[] { 1, 2 }, i => Assert.Equal(TaskState.Failed, _fx.State.Stored("pilots", i).State));
        Assert.Contains("never started on node2: ", _fx.State.Stored("pilots", 1).Reason, StringComparison.Ordinal);
        Assert.Contains("Slurm job 103_0", _fx.State.Stored("pilots", 1).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_stderr_file_is_said_so()
    {
        await _fx.StoredJobAsync("nolog", 1);
        _fx.Options.Dispatch.MaxUnclaimedSubmissions = 1;
        await _fx.PassAsync("nolog", _fx.Dispatch);
        _fx.Scheduler.Drain();
        await _fx.PassAsync("nolog", _fx.Dispatch);
        var task = _fx.State.Stored("nolog", 0);
        Assert.Equal(TaskState.Failed, task.State);
        Assert.StartsWith("NeverStarted: the worker never started on an unknown node (its stderr file ", task.Reason, StringComparison.Ordinal);
        Assert.Contains("cannot be read here); 1 submissions in a row", task.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_leadership_term_forgets_what_was_submitted_so_nothing_is_counted_twice_or_wrongly()
    {
        await _fx.StoredJobAsync("term", 1);
        await _fx.PassAsync("term", _fx.Dispatch);
        Assert.Equal(1, _fx.Unclaimed.Jobs);
        _fx.Unclaimed.ForgetAll();
        _fx.Scheduler.Drain();
        await _fx.PassAsync("term", _fx.Dispatch);
        Assert.Equal((2, 0), (_fx.Scheduler.Submitted.Count, _fx.State.Stored("term", 0).UnclaimedSubmissions));
    }

    private void WriteStderr(string job, string slurmJobId, params int[] arrayIndexes)
    {
        Directory.CreateDirectory(_fx.Options.Slurm.LogDirectory);
        foreach (var index in arrayIndexes)
        {
            File.WriteAllText(WorkerLogs.Path(_fx.Options.Slurm.LogDirectory, job, slurmJobId, index, "err"), "some earlier line\n" + NotFound + "\n");
        }
    }
}
