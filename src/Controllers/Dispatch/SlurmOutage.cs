using System.Collections.Concurrent;
using System.Globalization;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
using Microsoft.Extensions.Logging;

namespace Coordinator.Controllers.Dispatch;

/// <summary>
/// What the dispatch and status controllers do when Slurm stays unavailable after the adapter's own Polly retries
/// (slurmctld stopped or restarting): the job is not failed and no batch is charged an attempt. The pass stops, the
/// job gets condition <see cref="ConditionType"/>=False with Slurm's error and the retry count, and it is reconciled
/// again after a delay that doubles with each failed pass (<see cref="RetryDelay"/>, capped so the job resumes soon
/// after Slurm is back). The first pass that hears from Slurm again sets the condition True and resets the count.
/// <para>
/// Not the work queue's own error backoff: that one grows to 1,000 s and leaves no trace on the job, so a user would
/// see a job stuck in Running with no reason, and a long outage would delay the resume by up to a quarter of an hour.
/// </para>
/// <para>
/// Nothing is dispatched on a failed squeue (it is read before anything is submitted), and sbatch's own retries look
/// for the dispatch token first (<c>SlurmScheduler.SubmitAsync</c>), so the outage cannot cause a duplicate
/// submission either. The count is per job and per daemon process; a daemon restarted mid-outage starts again at 1.
/// </para>
/// <para>
/// The delay is kept, not only asked for: the work queue keeps the earliest of several pending wake-ups, so a pass can
/// come early (a task event, or a wake-up left over from an earlier pass that started late); such a pass does not ask
/// Slurm again before the announced time (<see cref="Backoff"/>) and is not counted.
/// </para>
/// </summary>
public sealed partial class SlurmOutage(ILogger<SlurmOutage> logger, TimeProvider? time = null) : IJobMemory
{
    /// <summary>The job condition that says whether Slurm answered the last pass that needed it.</summary>
    public const string ConditionType = "SlurmReachable";

    /// <summary>Reason of the False condition.</summary>
    public const string UnavailableReason = "SlurmUnavailable";

    /// <summary>
    /// Reason of the False condition when the Slurm client on the daemon's host cannot work at all
    /// (<see cref="SchedulerFault.Configuration"/>): an operator's problem, retried with the same backoff.
    /// </summary>
    public const string MisconfiguredReason = "SlurmMisconfigured";

    /// <summary>Delay after the first failed pass; it doubles with every further one.</summary>
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between two passes during an outage: how late, at most, a job resumes after Slurm is back.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>Longest part of Slurm's error kept in the condition message.</summary>
    public const int MaxErrorLength = 400;

    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset NextTry)> _jobs = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// During an outage of this job's Slurm calls, how long is left before the announced next try; null when Slurm may
    /// be asked now. A pass that gets a value stops and comes back then, without counting a failure.
    /// </summary>
    public TimeSpan? Backoff(JobContext context)
    {
        if (_jobs.TryGetValue(context.Job.Name, out var outage) && outage.NextTry - _time.GetUtcNow() is var left && left > TimeSpan.Zero)
        {
            return left;
        }
        return null;
    }

    /// <summary>
    /// Runs a controller's pass that needs Slurm: not before the announced next try during an outage
    /// (<see cref="Backoff"/>), and a transient Slurm error it could not get past becomes <see cref="Unavailable"/>.
    /// </summary>
    public async Task<ControllerResult> GuardAsync(JobContext context, string controller, Func<Task<ControllerResult>> pass)
    {
        if (Backoff(context) is { } wait)
        {
            return ControllerResult.StopAndRequeueAfter(wait);
        }
        try
        {
            return await pass().ConfigureAwait(false);
        }
        catch (SchedulerException e) when (e.IsTransient || e.Fault == SchedulerFault.Configuration)
        {
            return Unavailable(context, controller, e);
        }
    }

    /// <summary>
    /// A pass of <paramref name="controller"/> met a transient Slurm error it could not get past: record it on the
    /// job and ask to be reconciled again after the next delay.
    /// </summary>
    public ControllerResult Unavailable(JobContext context, string controller, SchedulerException error)
    {
        var job = context.Job;
        var now = _time.GetUtcNow();
        var (failures, next) = _jobs.AddOrUpdate(job.Name, _ => (1, now + RetryDelay(1)), (_, o) => (o.Failures + 1, now + RetryDelay(o.Failures + 1)));
        var delay = next - now;
        var misconfigured = error.Fault == SchedulerFault.Configuration;
        StatusEditor.SetCondition(context, ConditionType, false, misconfigured ? MisconfiguredReason : UnavailableReason,
            misconfigured ? MisconfiguredMessage(failures, delay, error.Message) : Message(failures, delay, error.Message));
        LogUnavailable(logger, job.Name, controller, failures, delay.TotalSeconds, error.Message);
        return ControllerResult.StopAndRequeueAfter(delay);
    }

    /// <summary>Slurm answered a pass of this job: end an outage recorded on it, if any.</summary>
    public void Answered(JobContext context)
    {
        var failed = _jobs.TryRemove(context.Job.Name, out var outage) ? outage.Failures : 0;
        if (StatusEditor.GetCondition(context.Job.Status, ConditionType) is not { Status: StatusEditor.False } condition)
        {
            return;
        }
        var seconds = (context.Now - condition.LastTransitionTime).TotalSeconds;
        StatusEditor.SetCondition(context, ConditionType, true, "SlurmAnswered",
            string.Create(CultureInfo.InvariantCulture, $"Slurm answered again after {failed} failed passes over {seconds:F0} s"));
        LogAnswered(logger, context.Job.Name, failed, seconds);
    }

    public int Jobs => _jobs.Count;

    public void Forget(string job) => _jobs.TryRemove(job, out _);

    public void ForgetAll() => _jobs.Clear();

    /// <summary>Delay before the pass after the <paramref name="failures"/>-th failed one: 1 s, 2 s, 4 s, … capped at 30 s.</summary>
    public static TimeSpan RetryDelay(int failures)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        return Retry.Backoff.Exponential(failures - 1, FirstRetryDelay, MaxRetryDelay);
    }

    /// <summary>The False condition's message: how many passes failed, when the next one is, and Slurm's own words (cut).</summary>
    public static string Message(int failures, TimeSpan delay, string error)
    {
        var cut = Cut(error);
        return string.Create(CultureInfo.InvariantCulture,
            $"Slurm did not answer (failed pass {failures}, next try in {delay.TotalSeconds:F0} s; nothing is failed or resubmitted meanwhile): {cut}");
    }

    /// <summary>Slurm's error cut to <see cref="MaxErrorLength"/>.</summary>
    public static string Cut(string error) => error.Length > MaxErrorLength ? error[..MaxErrorLength] + "…" : error;

    /// <summary>The False condition's message when the Slurm client itself cannot work: what is wrong and where to look.</summary>
    public static string MisconfiguredMessage(int failures, TimeSpan delay, string error)
    {
        var cut = Cut(error);
        return string.Create(CultureInfo.InvariantCulture,
            $"the Slurm client on the daemon's host cannot work (failed pass {failures}, next try in {delay.TotalSeconds:F0} s; nothing is failed or resubmitted meanwhile): {cut}. {Advice}");
    }

    private const string Advice =
        "Check SLURM_CONF in the daemon's environment (the systemd unit's EnvironmentFile, /etc/coordinator/coordinator.env), that the slurm.conf it names is readable, that munged runs, and that the Slurm commands are on the daemon's PATH";

    [LoggerMessage(EventId = 6010, Level = LogLevel.Warning,
        Message = "{JobName}: Slurm unavailable during {Controller}, failed pass {Failures}, next try in {DelaySeconds} s: {Error}")]
    private static partial void LogUnavailable(ILogger logger, string jobName, string controller, int failures, double delaySeconds, string error);

    [LoggerMessage(EventId = 6011, Level = LogLevel.Information,
        Message = "{JobName}: Slurm answers again after {Failures} failed passes over {OutageSeconds:F0} s")]
    private static partial void LogAnswered(ILogger logger, string jobName, int failures, double outageSeconds);
}
