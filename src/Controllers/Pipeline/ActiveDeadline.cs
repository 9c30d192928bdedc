using Coordinator.Controllers.Retry;
using Coordinator.Model.Spec;
using Coordinator.Model.Units;

namespace Coordinator.Controllers.Pipeline;

/// <summary>
/// spec.activeDeadline, counted from status.startedAt (set when the job first leaves Pending), in every phase
/// (issue 15, path 6): <see cref="DeadlineController"/> checks it at the start of every pass whatever the phase and
/// wakes the job when it falls due; the controllers whose one step can outlast it (partition, aggregation) run that
/// step under <see cref="Watch"/>, so a deadline that passes in the middle ends the step there.
/// </summary>
public static class ActiveDeadline
{
    /// <summary>The Failed condition's reason.</summary>
    public const string Reason = "DeadlineExceeded";

    /// <summary>Longest wait a timer is armed for (CancellationTokenSource takes at most ~49 days); beyond it the next pass checks.</summary>
    private static readonly TimeSpan LongestWatch = TimeSpan.FromDays(24);

    /// <summary>Time left before the deadline at <paramref name="now"/> (zero or less once passed); null without a deadline or a start.</summary>
    public static TimeSpan? Remaining(Job job, DateTimeOffset now) =>
        job.Status.StartedAt is { } started && job.Spec.ActiveDeadline is { } deadline ? started + deadline - now : null;

    /// <summary>True when the job started and has run longer than its activeDeadline.</summary>
    public static bool IsPast(Job job, DateTimeOffset now) => FailurePolicyEvaluator.IsPastDeadline(job.Status.StartedAt, now, job.Spec.ActiveDeadline);

    /// <summary>The job's message and the Failed condition's: "the job ran longer than its activeDeadline of 1h (while aggregating)".</summary>
    public static string Message(Job job, string? during = null) =>
        $"the job ran longer than its activeDeadline of {Duration.Format(job.Spec.ActiveDeadline ?? TimeSpan.Zero)}" + (during is null ? "" : $" (while {during})");

    /// <summary>Fails the job with <see cref="Reason"/> and stops the pass. Slurm work, if any, is the caller's to cancel first.</summary>
    public static ControllerResult Fail(JobContext context, string? during = null)
    {
        StatusEditor.Fail(context, Reason, Message(context.Job, during));
        return ControllerResult.Stop;
    }

    /// <summary>A token cancelled by <paramref name="ct"/> or when the job's deadline passes, whichever is first.</summary>
    public static Scope Watch(JobContext context, CancellationToken ct)
    {
        var left = Remaining(context.Job, context.Now);
        var deadline = left is { } l && l < LongestWatch ? new CancellationTokenSource(l > TimeSpan.Zero ? l : TimeSpan.Zero) : null;
        return new Scope(deadline, ct);
    }

    /// <summary>The watch over one step; <see cref="Passed"/> tells a cancellation by the deadline from any other.</summary>
    public sealed class Scope : IDisposable
    {
        private readonly CancellationTokenSource? _deadline;
        private readonly CancellationTokenSource? _linked;
        private readonly CancellationToken _outer;

        internal Scope(CancellationTokenSource? deadline, CancellationToken outer)
        {
            _deadline = deadline;
            _outer = outer;
            _linked = deadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, outer);
            Token = _linked?.Token ?? outer;
        }

        public CancellationToken Token { get; }

        /// <summary>True when the deadline, not the caller, cancelled <see cref="Token"/>.</summary>
        public bool Passed => _deadline?.IsCancellationRequested == true && !_outer.IsCancellationRequested;

        public void Dispose()
        {
            _linked?.Dispose();
            _deadline?.Dispose();
        }
    }
}
