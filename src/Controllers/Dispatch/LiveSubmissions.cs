using Coordinator.Controllers.Ports;

namespace Coordinator.Controllers.Dispatch;

/// <summary>What a failed, cancelled or replaced job does with the Slurm work it still has.</summary>
public static class LiveSubmissions
{
    /// <summary>Cancels every live submission of the job (squeue by job name, then scancel each); returns their Slurm ids.</summary>
    public static async Task<IReadOnlyList<string>> CancelLiveAsync(this IScheduler scheduler, string jobName, CancellationToken ct)
    {
        var cancelled = new List<string>();
        foreach (var submission in InFlight.From(await scheduler.ListAsync(jobName, ct).ConfigureAwait(false)).Submissions)
        {
            await scheduler.CancelAsync(submission.JobId, ct).ConfigureAwait(false);
            cancelled.Add(submission.JobId);
        }
        return cancelled;
    }
}
