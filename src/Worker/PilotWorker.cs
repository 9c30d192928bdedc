using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Tasks;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;
using Microsoft.Extensions.Logging;

namespace Coordinator.Worker;

/// <summary>
/// Pilot mode: one long-lived worker that claims pending batches with conditional writes until none are left, as
/// HyperQueue does inside a Slurm allocation. Slurm then schedules N tasks instead of one per batch, which is what
/// makes many small batches fast. With tiny handlers a batch is mostly round trips (claim, download, upload, record),
/// so a pilot keeps <see cref="WorkerOptions.PilotConcurrency"/> batches running at once and claims them in groups whose
/// conditional writes overlap (<see cref="IStateStore.TryUpdateTasksAsync"/>). Pilots walk the task pages in the
/// same order but each starts at a different place within a page, so they rarely race for the same item; a lost race
/// only drops that task from the group.
/// <para>
/// A batch backing off after a failed attempt is claimed once the daemon has released it, or once this pilot has itself
/// seen it held for its backoff delay, measured on the pilot's own monotonic clock (<see cref="TaskWatch"/>): the
/// notBefore stamped by another host is never compared with this host's clock.
/// </para>
/// </summary>
public sealed partial class PilotWorker(IStateStore state, TaskWorker worker, TimeProvider clock, ILogger<PilotWorker> logger)
{
    private readonly TaskWatch _holds = new(clock);

    /// <summary>Longest a pilot waits for a batch that is backing off before it looks again.</summary>
    public static readonly TimeSpan MaxIdleWait = TimeSpan.FromSeconds(30);

    /// <summary>Batches run at once by this pilot (default <see cref="WorkerOptions.PilotConcurrency"/>).</summary>
    public int Concurrency { get; init; } = new WorkerOptions().PilotConcurrency;

    /// <summary>Runs until no claimable batch is left (or the job stops); returns how many batches it recorded.</summary>
    public async Task<int> RunAsync(string jobName, int pilot, int pilots, WorkerIdentity identity, CancellationToken disruption, CancellationToken ct)
    {
        var recorded = 0;
        var started = clock.GetTimestamp();
        while (!disruption.IsCancellationRequested)
        {
            var job = await state.GetJobAsync(jobName, ct).ConfigureAwait(false);
            if (job is null || job.Spec.Suspend || job.Status.Phase is JobPhase.Succeeded or JobPhase.Failed or JobPhase.Cancelled)
            {
                LogStopping(logger, jobName, pilot, job?.Status.Phase);
                break;
            }
            var pass = await PassAsync(job, pilot, pilots, identity, disruption, ct).ConfigureAwait(false);
            recorded += pass.Recorded;
            if (pass.Recorded > 0)
            {
                continue;
            }
            if (pass.NextHoldEnds is not { } wait)
            {
                break;
            }
            wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxIdleWait ? MaxIdleWait : wait;
            try
            {
                await Task.Delay(wait + TimeSpan.FromMilliseconds(50), clock, disruption).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        if (logger.IsEnabled(LogLevel.Information))
        {
            var seconds = clock.GetElapsedTime(started).TotalSeconds;
            var rate = recorded / Math.Max(seconds, 1e-3);
            var timings = worker.Stats.Summarize();
            LogDone(logger, jobName, pilot, recorded, seconds, rate, timings);
        }
        return recorded;
    }

    /// <summary>
    /// One walk over the job's task pages, claiming and running what is claimable; also how soon the first batch still
    /// backing off may be claimed (null when none is).
    /// </summary>
    private async Task<(int Recorded, TimeSpan? NextHoldEnds)> PassAsync(
        Job job, int pilot, int pilots, WorkerIdentity identity, CancellationToken disruption, CancellationToken ct)
    {
        var concurrency = Math.Max(1, Concurrency);
        using var slots = new SemaphoreSlim(concurrency, concurrency);
        var running = new List<Task<TaskRunOutcome>>();
        TimeSpan? nextHoldEnds = null;
        try
        {
            await foreach (var tasks in TaskReader.ReadPagesAsync(state, job.Name, job.Generation, ct).ConfigureAwait(false))
            {
                var start = tasks.Count == 0 ? 0 : (int)((long)pilot * tasks.Count / Math.Max(1, pilots));
                var candidates = new Queue<JobTask>();
                for (var i = 0; i < tasks.Count; i++)
                {
                    var task = tasks[(start + i) % tasks.Count];
                    if (TaskTransitions.CanClaim(task))
                    {
                        candidates.Enqueue(task);
                    }
                    else if (TaskTransitions.IsHeld(task))
                    {
                        var left = TaskTransitions.HoldLength(task) - _holds.Unchanged(task);
                        if (left <= TimeSpan.Zero)
                        {
                            candidates.Enqueue(task);
                        }
                        else
                        {
                            nextHoldEnds = nextHoldEnds is { } n && n < left ? n : left;
                        }
                    }
                }
                while (candidates.Count > 0 && !disruption.IsCancellationRequested)
                {
                    // Wait for one free slot, then take every other free one: the group claimed together is as large
                    // as the room to run it, so nothing claimed waits on a slot (a claimed batch's heartbeat runs).
                    await slots.WaitAsync(disruption).ConfigureAwait(false);
                    var group = new List<JobTask> { candidates.Dequeue() };
                    while (candidates.Count > 0 && slots.Wait(0))
                    {
                        group.Add(candidates.Dequeue());
                    }
                    var claimed = await ClaimAsync(group, identity, ct).ConfigureAwait(false);
                    if (claimed.Count < group.Count)
                    {
                        slots.Release(group.Count - claimed.Count);
                    }
                    foreach (var task in claimed)
                    {
                        running.Add(RunAndReleaseAsync(job, task, identity, slots, disruption, ct));
                    }
                }
                if (disruption.IsCancellationRequested)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (disruption.IsCancellationRequested)
        {
            // SIGTERM: the running batches record their disruption below; nothing new is claimed.
        }
        catch (Exception)
        {
            // A failed page read or claim ends the pass, but never abandons batches already running.
            await Task.WhenAll(running).ConfigureAwait(false);
            throw;
        }
        var outcomes = await Task.WhenAll(running).ConfigureAwait(false);
        return (outcomes.Count(o => o == TaskRunOutcome.Recorded), nextHoldEnds);
    }

    /// <summary>Marks every task of the group Running and writes them in one batched conditional write; returns the winners.</summary>
    private async Task<List<JobTask>> ClaimAsync(List<JobTask> group, WorkerIdentity identity, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        foreach (var task in group)
        {
            TaskTransitions.Claim(task, identity.Host, identity.SlurmJobId, identity.ArrayTaskId, now);
        }
        var written = await state.TryUpdateTasksAsync(group, ct).ConfigureAwait(false);
        var claimed = new List<JobTask>(group.Count);
        for (var i = 0; i < group.Count; i++)
        {
            if (written[i])
            {
                claimed.Add(group[i]);
            }
        }
        if (claimed.Count < group.Count)
        {
            LogClaimsLost(logger, group[0].Job, group.Count - claimed.Count, group.Count);
        }
        return claimed;
    }

    private async Task<TaskRunOutcome> RunAndReleaseAsync(
        Job job, JobTask task, WorkerIdentity identity, SemaphoreSlim slots, CancellationToken disruption, CancellationToken ct)
    {
        try
        {
            await Task.Yield();
            return await worker.RunClaimedAsync(job, task, identity, disruption, ct).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }

    [LoggerMessage(EventId = 6201, Level = LogLevel.Information, Message = "Pilot {Pilot} of {JobName} stops: job is {Phase}, suspended or gone")]
    private static partial void LogStopping(ILogger logger, string jobName, int pilot, JobPhase? phase);

    [LoggerMessage(EventId = 6202, Level = LogLevel.Information,
        Message = "Pilot {Pilot} of {JobName} done: {Recorded} batches recorded in {Seconds:F1} s ({Rate:F1} batches/s), none left to claim; {Timings}")]
    private static partial void LogDone(ILogger logger, string jobName, int pilot, int recorded, double seconds, double rate, WorkerStatsSummary timings);

    [LoggerMessage(EventId = 6203, Level = LogLevel.Debug, Message = "Another worker claimed {Lost} of {Group} batches of {JobName} first")]
    private static partial void LogClaimsLost(ILogger logger, string jobName, int lost, int group);
}
