using Coordinator.Controllers.Ports;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;
using Microsoft.Extensions.Logging;

namespace Coordinator.Controllers.Worker;

/// <summary>
/// Pilot mode: one long-lived worker that claims pending batches with conditional writes until none are left, as
/// HyperQueue does inside a Slurm allocation. Slurm then schedules N tasks instead of one per batch, which is what
/// makes many small batches fast. Pilots walk the task pages in the same order but each starts at a different place
/// within a page, so they rarely race for the same item; a lost race costs one failed conditional write.
/// </summary>
public sealed partial class PilotWorker(IStateStore state, TaskWorker worker, TimeProvider clock, ILogger<PilotWorker> logger)
{
    public const int PageSize = 100;

    /// <summary>Longest a pilot waits for a batch that is backing off before it looks again.</summary>
    public static readonly TimeSpan MaxIdleWait = TimeSpan.FromSeconds(30);

    /// <summary>Runs until no claimable batch is left (or the job stops); returns how many batches it recorded.</summary>
    public async Task<int> RunAsync(string jobName, int pilot, int pilots, WorkerIdentity identity, CancellationToken disruption, CancellationToken ct)
    {
        var recorded = 0;
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
            if (pass.NextNotBefore is not { } next)
            {
                break;
            }
            var wait = next - clock.GetUtcNow();
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
        LogDone(logger, jobName, pilot, recorded);
        return recorded;
    }

    private async Task<(int Recorded, DateTimeOffset? NextNotBefore)> PassAsync(
        Job job, int pilot, int pilots, WorkerIdentity identity, CancellationToken disruption, CancellationToken ct)
    {
        var recorded = 0;
        DateTimeOffset? nextNotBefore = null;
        string? token = null;
        do
        {
            var page = await state.QueryTasksAsync(job.Name, token, PageSize, ct).ConfigureAwait(false);
            token = page.NextToken;
            var tasks = page.Tasks;
            var start = tasks.Count == 0 ? 0 : (int)((long)pilot * tasks.Count / Math.Max(1, pilots));
            for (var i = 0; i < tasks.Count && !disruption.IsCancellationRequested; i++)
            {
                var task = tasks[(start + i) % tasks.Count];
                var now = clock.GetUtcNow();
                if (TaskTransitions.CanClaim(task, now))
                {
                    if (await worker.RunClaimableAsync(job, task, identity, disruption, ct).ConfigureAwait(false) == TaskRunOutcome.Recorded)
                    {
                        recorded++;
                    }
                }
                else if (task is { State: TaskState.Pending, NotBefore: { } notBefore })
                {
                    nextNotBefore = nextNotBefore is { } n && n < notBefore ? n : notBefore;
                }
            }
        }
        while (token is not null && !disruption.IsCancellationRequested);
        return (recorded, nextNotBefore);
    }

    [LoggerMessage(EventId = 6201, Level = LogLevel.Information, Message = "Pilot {Pilot} of {JobName} stops: job is {Phase}, suspended or gone")]
    private static partial void LogStopping(ILogger logger, string jobName, int pilot, JobPhase? phase);

    [LoggerMessage(EventId = 6202, Level = LogLevel.Information, Message = "Pilot {Pilot} of {JobName} done: {Recorded} batches recorded, none left to claim")]
    private static partial void LogDone(ILogger logger, string jobName, int pilot, int recorded);
}
