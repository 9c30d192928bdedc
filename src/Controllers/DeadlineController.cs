using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Status;
using Microsoft.Extensions.Logging;

namespace Coordinator.Controllers;

/// <summary>
/// Order 50, before partition: spec.activeDeadline in every phase (issue 15, path 6). A job past its deadline —
/// partitioning, stored, dispatching, running, suspended or aggregating — has its live Slurm work cancelled and fails
/// with DeadlineExceeded before any other controller acts; one not yet past it is woken when it falls due (a
/// RequeueAfter), so a job nothing else wakes (suspended, a pass that keeps failing) still ends on time. Before this the
/// status controller alone checked it, and only for stored jobs that were not aggregating. While Slurm does not
/// answer, a job with Slurm work is not failed (<see cref="SlurmOutage"/>), as everywhere else in the daemon.
/// </summary>
public sealed partial class DeadlineController(IScheduler scheduler, SlurmOutage outage, ILogger<DeadlineController> logger) : IJobController
{
    public string Name => "deadline";
    public int Order => 50;

    public async Task<ControllerResult> ReconcileAsync(JobContext context, CancellationToken ct)
    {
        var job = context.Job;
        if (PhaseTransitions.IsTerminal(job.Status.Phase) || job.Status.Phase == JobPhase.Invalid
            || ActiveDeadline.Remaining(job, context.Now) is not { } left)
        {
            return ControllerResult.Continue;
        }
        if (!ActiveDeadline.IsPast(job, context.Now))
        {
            return ControllerResult.ContinueAndRequeueAfter(left);
        }
        // Only a stored job can have Slurm work; while Slurm does not answer, nothing is failed (as in the status controller).
        return job.Status.Phase is JobPhase.Dispatching or JobPhase.Running or JobPhase.Suspended
            ? await outage.GuardAsync(context, Name, async () =>
            {
                await scheduler.CancelLiveAsync(job.Name, ct).ConfigureAwait(false);
                outage.Answered(context);
                return Fail(context);
            }).ConfigureAwait(false)
            : Fail(context);
    }

    private ControllerResult Fail(JobContext context)
    {
        var job = context.Job;
        var phase = job.Status.Phase;
        var result = ActiveDeadline.Fail(context, phase.ToString().ToLowerInvariant());
        LogDeadline(logger, job.Name, phase, job.Status.Message);
        return result;
    }

    [LoggerMessage(EventId = 6051, Level = LogLevel.Warning, Message = "{JobName} failed in phase {Phase} (DeadlineExceeded): {Message}")]
    private static partial void LogDeadline(ILogger logger, string jobName, JobPhase phase, string message);
}
