using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Tasks;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;
using Microsoft.Extensions.Logging;

namespace Coordinator.Controllers;

/// <summary>
/// Order 300: submits the job's ready batches to Slurm. Array mode: one array task per batch,
/// --array=&lt;ranges&gt;%maxConcurrent, split over MaxArraySize and kept under the outstanding-task budget, which is one
/// budget across all of the deployment's jobs: it is counted from the deployment's whole listing, and the count and the
/// submissions it allows are made under one lock, so jobs dispatched at the same time cannot together pass it. Pilot mode:
/// spec.dispatch.workers tasks that each pull batches. Before every sbatch the dispatch intent (a fresh token) is saved
/// on the job; the token rides in the Slurm --comment, and squeue — read before the tasks — tells which batches are
/// already in flight, so a daemon restarted between the intent and the status write never submits twice. An edit to
/// spec.slurm.maxConcurrent is applied live with scontrol. When Slurm stays unavailable the pass stops and
/// <see cref="SlurmOutage"/> marks the job and backs it off; nothing is submitted on a squeue that failed. Submissions
/// that left the queue without any worker claiming their batch are counted, and the batch failed after a few
/// (<see cref="UnclaimedSubmissions"/>), before anything is submitted again.
/// </summary>
public sealed partial class DispatchController(
    IScheduler scheduler, TaskTallySource tallies, CoordinatorOptions options, ILogger<DispatchController> logger, SlurmOutage outage,
    ILeadershipGuard? leadership = null, UnclaimedSubmissions? unclaimed = null) : IJobController, IDisposable
{
    private readonly ILeadershipGuard _leadership = leadership ?? Unfenced.Instance;

    /// <summary>Held from counting the deployment's outstanding tasks until the submissions that count allowed are made.</summary>
    private readonly SemaphoreSlim _budget = new(1, 1);

    public string Name => "dispatch";
    public int Order => 300;

    public void Dispose() => _budget.Dispose();

    public async Task<ControllerResult> ReconcileAsync(JobContext context, CancellationToken ct)
    {
        var job = context.Job;
        var status = job.Status;
        if (!StatusEditor.IsTrue(status, ConditionTypes.Stored) || job.Spec.Suspend
            || status.Phase is JobPhase.Aggregating or JobPhase.Suspended or JobPhase.Invalid || PhaseTransitions.IsTerminal(status.Phase))
        {
            return ControllerResult.Continue;
        }
        if (status.Phase != JobPhase.Dispatching && status.Phase != JobPhase.Running)
        {
            StatusEditor.SetPhase(status, JobPhase.Dispatching);
            status.StartedAt ??= context.Now;
        }
        try
        {
            return await outage.GuardAsync(context, Name, () => DispatchAsync(context, ct)).ConfigureAwait(false);
        }
        catch (SchedulerException e) when (e.Fault == SchedulerFault.Refused)
        {
            LogRefused(logger, job.Name, e.Message);
            return await SubmitRefusal.FailAsync(context, scheduler, e, ct).ConfigureAwait(false);
        }
    }

    private async Task<ControllerResult> DispatchAsync(JobContext context, CancellationToken ct)
    {
        var job = context.Job;
        var status = job.Status;
        var snapshot = await tallies.GetAsync(job, context.Now, options.Dispatch.RescanInterval, ct).ConfigureAwait(false);
        if (await WouldSubmitAsync(job, snapshot, ct).ConfigureAwait(false) && snapshot.FullReadAt != context.Now)
        {
            // About to submit: decide on a fresh full read, never a cached one. Only then: in pilot mode batches stay
            // ready while live pilots drain them, and a full read on every task event kept the store busy (O(tasks)
            // per event) exactly when the pilots needed it.
            snapshot = await tallies.GetAsync(job, context.Now, TimeSpan.Zero, ct).ConfigureAwait(false);
        }
        outage.Answered(context);
        if (unclaimed is not null && await unclaimed.JudgeAsync(job, snapshot, context.Now, ct).ConfigureAwait(false))
        {
            tallies.Invalidate(job.Name);
            snapshot = await tallies.GetAsync(job, context.Now, TimeSpan.Zero, ct).ConfigureAwait(false);
        }
        RecoverIntent(status, snapshot.InFlight);
        await ApplyThrottleAsync(job, snapshot.InFlight, ct).ConfigureAwait(false);

        var submitted = job.Spec.Dispatch.Mode == DispatchMode.Pilot
            ? await DispatchPilotsAsync(context, snapshot, ct).ConfigureAwait(false)
            : await DispatchArrayAsync(context, snapshot, ct).ConfigureAwait(false);
        if (submitted > 0)
        {
            tallies.Invalidate(job.Name);
        }
        if (status.Phase == JobPhase.Dispatching && (submitted > 0 || snapshot.InFlight.Submissions.Count > 0 || snapshot.Tally.Running > 0))
        {
            StatusEditor.SetPhase(status, JobPhase.Running);
        }
        return ControllerResult.Continue;
    }

    /// <summary>An intent without a Slurm id whose token squeue shows was submitted before a crash: record, don't repeat.</summary>
    private void RecoverIntent(JobStatus status, InFlight inFlight)
    {
        if (status.Dispatch is { SlurmJobId: null } intent)
        {
            var found = inFlight.Submissions.FirstOrDefault(s => SubmissionComment.TryParse(s.Comment)?.Token == intent.Token);
            if (found is not null)
            {
                intent.SlurmJobId = found.JobId;
                LogRecovered(logger, status.Dispatch.Token, found.JobId);
            }
        }
    }

    private async Task ApplyThrottleAsync(Job job, InFlight inFlight, CancellationToken ct)
    {
        var wanted = job.Spec.Slurm.MaxConcurrent;
        foreach (var submission in inFlight.Submissions)
        {
            if (submission.MaxConcurrent is { } current && current != wanted && SubmissionComment.TryParse(submission.Comment) is { IsPilot: false })
            {
                await scheduler.UpdateThrottleAsync(submission.JobId, wanted, ct).ConfigureAwait(false);
                LogThrottle(logger, job.Name, submission.JobId, current, wanted);
            }
        }
    }

    /// <summary>Whether this snapshot would lead to an sbatch (the same tests the two dispatch paths make).</summary>
    private async Task<bool> WouldSubmitAsync(Job job, TaskTallySource.Snapshot snapshot, CancellationToken ct) =>
        snapshot.Tally.Ready.Count > 0 && (job.Spec.Dispatch.Mode == DispatchMode.Pilot
            ? snapshot.InFlight.LivePilots == 0
            : options.Slurm.MaxOutstandingTasks - await OutstandingAsync(ct).ConfigureAwait(false) > 0);

    /// <summary>
    /// Pending or running array tasks of every job of this deployment, pilots included (what Slurm's MaxJobCount
    /// counts), from the scheduler's listing of the whole deployment (one shared squeue per pass in the daemon).
    /// </summary>
    private async Task<int> OutstandingAsync(CancellationToken ct) =>
        (await scheduler.ListAsync(null, ct).ConfigureAwait(false)).Sum(j => j.Tasks.Count(t => InFlight.IsLive(t.State)));

    private async Task<int> DispatchArrayAsync(JobContext context, TaskTallySource.Snapshot snapshot, CancellationToken ct)
    {
        if (snapshot.Tally.Ready.Count == 0)
        {
            return 0;
        }
        var maxArraySize = await scheduler.GetMaxArraySizeAsync(ct).ConfigureAwait(false);
        var submitted = 0;
        await _budget.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // Counted under the lock: another job's submissions made just before are in the listing (the shared
            // listing is taken again after every sbatch), and none can be made between this count and ours.
            var budget = options.Slurm.MaxOutstandingTasks - await OutstandingAsync(ct).ConfigureAwait(false);
            var meanRecords = snapshot.Tasks.Count == 0 ? 0 : snapshot.Tasks.Average(t => (double)t.InputRecords);
            var (perTask, _) = PackSize.Choose(context.Job.Spec, snapshot.Tally.Ready.Count, meanRecords);
            foreach (var chunk in ArrayPlanner.Plan(snapshot.Tally.Ready, maxArraySize, budget, perTask))
            {
                await SubmitAsync(context, snapshot.Tasks, chunk.BatchIndexes, chunk.ArrayIndexes, new SubmissionComment("", chunk.Offset, perTask),
                    WorkerLaunch.Array(options, context.Job.Name, chunk.Offset, perTask), context.Job.Spec.Slurm.MaxConcurrent, ct).ConfigureAwait(false);
                submitted += chunk.BatchIndexes.Count;
            }
        }
        finally
        {
            _budget.Release();
        }
        return submitted;
    }

    private async Task<int> DispatchPilotsAsync(JobContext context, TaskTallySource.Snapshot snapshot, CancellationToken ct)
    {
        var job = context.Job;
        // Pilots drain everything claimable; new ones start only when none is alive and work is ready.
        if (snapshot.Tally.Ready.Count == 0 || snapshot.InFlight.LivePilots > 0)
        {
            return 0;
        }
        var pilots = Math.Max(1, Math.Min(job.Spec.Dispatch.Workers, snapshot.Tally.Ready.Count));
        await SubmitAsync(context, snapshot.Tasks, snapshot.Tally.Ready, $"0-{pilots - 1}", new SubmissionComment("", null),
            WorkerLaunch.Pilot(options, job.Name, pilots), null, ct).ConfigureAwait(false);
        return pilots;
    }

    private async Task SubmitAsync(
        JobContext context, IReadOnlyList<JobTask> tasks, IReadOnlyList<int> batches, string arrayIndexes, SubmissionComment shape,
        IReadOnlyList<string> command, int? maxConcurrent, CancellationToken ct)
    {
        var job = context.Job;
        var batchIndexes = IndexRanges.Format(batches);
        // The intent is a lock on this wave: written only while this daemon may act, conditional on the version read
        // and on no newer leader term having written the job (the state store stamps the term). A leader deposed
        // between reading and writing loses the write; one deposed after it is refused the sbatch (GuardedScheduler).
        if (!_leadership.MayActNow())
        {
            throw new LeadershipLostException($"refused to write a dispatch intent for {job.Name}: this daemon does not hold the lease with enough of it left");
        }
        var comment = shape with { Token = Guid.NewGuid().ToString("N") };
        job.Status.Dispatch = new DispatchIntent { Token = comment.Token, Indexes = batchIndexes, CreatedAt = context.Now };
        await context.SaveStatusAsync(ct).ConfigureAwait(false);

        var slurm = job.Spec.Slurm;
        var request = new SubmitRequest
        {
            JobName = job.Name,
            Token = comment.ToString(),
            ArrayIndexes = arrayIndexes,
            MaxConcurrent = maxConcurrent,
            Command = command,
            Partition = slurm.Partition ?? options.Slurm.Partition,
            CpusPerTask = slurm.CpusPerTask,
            Memory = slurm.Memory,
            TimeLimit = slurm.TimeLimit,
            Gres = slurm.Gres,
            Account = slurm.Account,
            Qos = slurm.Qos,
            LogDirectory = options.Slurm.LogDirectory,
            // A region given as a setting (--region, a config file) reaches the workers as AWS_REGION, like one from the environment.
            Environment = WorkerEnvironment.Build(options.Slurm,
                name => name == "AWS_REGION" && options.Region is { Length: > 0 } region ? region : Environment.GetEnvironmentVariable(name)),
        };
        Directory.CreateDirectory(options.Slurm.LogDirectory);
        var slurmJobId = await scheduler.SubmitAsync(request, ct).ConfigureAwait(false);
        job.Status.Dispatch.SlurmJobId = slurmJobId;
        unclaimed?.Submitted(job, slurmJobId, shape.Offset, batches, tasks, shape.PerTask);
        LogSubmitted(logger, job.Name, slurmJobId, batchIndexes, comment.Token);
    }

    [LoggerMessage(EventId = 6301, Level = LogLevel.Information, Message = "Dispatched {JobName} batches {BatchIndexes} as Slurm job {SlurmJobId} (token {Token})")]
    private static partial void LogSubmitted(ILogger logger, string jobName, string slurmJobId, string batchIndexes, string token);

    [LoggerMessage(EventId = 6302, Level = LogLevel.Warning, Message = "Found submission {SlurmJobId} for dispatch token {Token} after a restart; not submitting again")]
    private static partial void LogRecovered(ILogger logger, string token, string slurmJobId);

    [LoggerMessage(EventId = 6304, Level = LogLevel.Warning, Message = "{JobName}: Slurm refused the submission, failing the job: {Error}")]
    private static partial void LogRefused(ILogger logger, string jobName, string error);

    [LoggerMessage(EventId = 6303, Level = LogLevel.Information, Message = "{JobName}: throttle of Slurm job {SlurmJobId} changed from {From} to {To}")]
    private static partial void LogThrottle(ILogger logger, string jobName, string slurmJobId, int from, int to);
}
