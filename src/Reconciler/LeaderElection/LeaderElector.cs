using Coordinator.Aws.DynamoDb;
using Coordinator.Controllers.Metrics;
using Coordinator.Reconciler.Hosting;
using Microsoft.Extensions.Logging;

namespace Coordinator.Reconciler.LeaderElection;

/// <summary>
/// Campaigns for the lease and runs the leader's work while it holds it (client-go's leaderelection). A follower
/// tries every RetryPeriod; the leader renews every RetryPeriod and, if it has not renewed for RenewDeadline,
/// cancels its work at once (another daemon may take over LeaseDuration after the last renewal). On shutdown the
/// leader releases the lease so a standby takes over without waiting out the duration.
/// </summary>
public sealed partial class LeaderElector(DynamoLeaseStore store, LeaderElectionOptions options, CoordinatorMetrics metrics,
    ILogger<LeaderElector> logger, TimeProvider? time = null, LeaseGuard? guard = null, DaemonLiveness? liveness = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly TaskCompletionSource<bool> _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long? _observedVersion;
    private DateTimeOffset _observedAt;
    private LeaseRecord? _held; // the lease as this daemon last wrote it, while it believes it holds it

    public string Identity { get; } = options.Identity is { Length: > 0 } id
        ? id
        : $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>
    /// What side effects and job writes ask (<see cref="Coordinator.Controllers.Ports.ILeadershipGuard"/>): the term (the
    /// lease's <c>transitions</c>, incremented on every acquisition by a new holder) and whether enough of the lease is
    /// left, on this daemon's monotonic clock, to act. Fed here on every lease write; judged on demand, not by a timer.
    /// </summary>
    public LeaseGuard Guard { get; } = guard ?? new LeaseGuard(options, time);

    /// <summary>True while this daemon holds the lease (and has renewed it within the deadline).</summary>
    public bool IsLeader { get; private set; }

    /// <summary>Completes after the first campaign attempt, with whether it won: a standby is ready once it knows it is one.</summary>
    public Task<bool> FirstAttempt => _firstAttempt.Task;

    /// <summary>
    /// Runs until <paramref name="stopping"/>. Each term calls <paramref name="lead"/>(stopping, lost): it must return
    /// when either token fires, stopping gracefully on the first and at once on the second.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, CancellationToken, Task> lead, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var attemptStarted = _time.GetTimestamp();
            if (!await CampaignAsync(r => attemptStarted = r, stopping).ConfigureAwait(false))
            {
                break;
            }
            IsLeader = true;
            metrics.LeaderChanged(true);
            LogAcquired(Identity, options.LeaseName);
            using var lost = new CancellationTokenSource();
            var leading = Task.Run(() => lead(stopping, lost.Token), CancellationToken.None);
            await RenewWhileLeadingAsync(leading, lost, attemptStarted, stopping).ConfigureAwait(false);
            try
            {
                await leading.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogLeadFailed(e, Identity);
            }
            IsLeader = false;
            Guard.Dropped();
            metrics.LeaderChanged(false);
            if (stopping.IsCancellationRequested)
            {
                await ReleaseAsync().ConfigureAwait(false);
            }
        }
        _firstAttempt.TrySetResult(false);
    }

    /// <summary>Tries every RetryPeriod until it holds the lease; false when stopping first.</summary>
    private async Task<bool> CampaignAsync(Action<long> attemptStarted, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            attemptStarted(_time.GetTimestamp());
            var won = await TryAcquireOrRenewAsync(options.RetryPeriod, stopping).ConfigureAwait(false);
            _firstAttempt.TrySetResult(won);
            if (won)
            {
                return true;
            }
            if (!await DelayAsync(options.RetryPeriod, stopping).ConfigureAwait(false))
            {
                return false;
            }
        }
        return false;
    }

    private async Task RenewWhileLeadingAsync(Task leading, CancellationTokenSource lost, long acquiredAt, CancellationToken stopping)
    {
        var lastRenewal = acquiredAt;
        var wait = options.RetryPeriod;
        while (!leading.IsCompleted && !stopping.IsCancellationRequested)
        {
            await Task.WhenAny(leading, Task.Delay(wait, _time, stopping)).ConfigureAwait(false);
            if (leading.IsCompleted || stopping.IsCancellationRequested)
            {
                return;
            }
            // The deadline counts from when a successful renewal was sent, not when it was answered: the write took
            // effect no earlier than that, and followers count their LeaseDuration from after it.
            var sent = _time.GetTimestamp();
            var left = options.RenewDeadline - _time.GetElapsedTime(lastRenewal);
            if (left > TimeSpan.Zero && await TryAcquireOrRenewAsync(RenewalAttemptTimeout(options, left), stopping).ConfigureAwait(false))
            {
                lastRenewal = sent;
                wait = options.RetryPeriod;
                continue;
            }
            if (_time.GetElapsedTime(lastRenewal) >= options.RenewDeadline)
            {
                LogLost(Identity, options.LeaseName, options.RenewDeadline);
                IsLeader = false;
                _held = null;
                Guard.Dropped();
                await lost.CancelAsync().ConfigureAwait(false);
                return;
            }
            wait = options.RetryPeriod / 4; // a failed renewal is retried sooner: the deadline is running
        }
    }

    /// <summary>
    /// How long one renewal attempt may take: a third of the renew deadline (at least the retry period), never more
    /// than what is left. One slow call (a throttled request in the SDK's backoff, a busy endpoint) must not use up
    /// the whole deadline: under load that alone lost the lease while the next attempt would have succeeded.
    /// </summary>
    public static TimeSpan RenewalAttemptTimeout(LeaderElectionOptions options, TimeSpan left)
    {
        var third = options.RenewDeadline / 3;
        var cap = third > options.RetryPeriod ? third : options.RetryPeriod;
        return left < cap ? left : cap;
    }

    /// <summary>One attempt, bounded by <paramref name="timeout"/>; any failure counts as not holding the lease.</summary>
    private async Task<bool> TryAcquireOrRenewAsync(TimeSpan timeout, CancellationToken stopping)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        attempt.CancelAfter(timeout);
        try
        {
            var now = _time.GetUtcNow();
            if (_held is { } held)
            {
                // Renewal of a lease this daemon wrote last: one conditional write on the version it wrote, no read.
                // A conflict means someone else wrote since (or our own write's answer was lost): read and decide.
                var renewed = held with { RenewedAt = now };
                var renewalSent = _time.GetTimestamp();
                if (await store.TryWriteAsync(renewed, held.Version, attempt.Token).ConfigureAwait(false))
                {
                    Held(renewed, held.Version, now, renewalSent);
                    return true;
                }
                _held = null;
                Guard.Dropped(); // someone else wrote the lease: act on nothing until it is ours again
            }
            var current = await store.GetAsync(options.LeaseName, attempt.Token).ConfigureAwait(false);
            if (current?.Version != _observedVersion)
            {
                _observedVersion = current?.Version;
                _observedAt = now;
            }
            if (!LeaseRules.MayWrite(current, Identity, now - _observedAt))
            {
                return false;
            }
            var mine = current?.Holder == Identity;
            var next = new LeaseRecord(options.LeaseName, Identity, options.LeaseDuration,
                mine ? current!.AcquiredAt : now, now, mine ? current!.Transitions : (current?.Transitions ?? 0) + 1, 0);
            var expected = current?.Version ?? 0;
            var sent = _time.GetTimestamp();
            if (!await store.TryWriteAsync(next, expected, attempt.Token).ConfigureAwait(false))
            {
                return false;
            }
            Held(next, expected, now, sent);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            LogAttemptFailed(e, Identity);
            return false;
        }
        finally
        {
            // The loop turned, whatever the answer: an unreachable DynamoDB is not a hung daemon (the watchdog's view).
            liveness?.Beat(DaemonLiveness.LeaseLoop);
        }
    }

    /// <summary>
    /// Records a successful write of <paramref name="written"/> over version <paramref name="expected"/>, sent at
    /// <paramref name="sentAt"/> (monotonic): the guard counts the lease from then.
    /// </summary>
    private void Held(LeaseRecord written, long expected, DateTimeOffset now, long sentAt)
    {
        Guard.Held(written.Transitions, sentAt);
        _held = written with { Version = expected + 1 };
        _observedVersion = expected + 1;
        _observedAt = now;
    }

    private async Task ReleaseAsync()
    {
        _held = null;
        Guard.Dropped();
        using var timeout = new CancellationTokenSource(options.RetryPeriod);
        try
        {
            var current = await store.GetAsync(options.LeaseName, timeout.Token).ConfigureAwait(false);
            if (current?.Holder == Identity)
            {
                var released = current with { Holder = "", RenewedAt = _time.GetUtcNow() };
                await store.TryWriteAsync(released, current.Version, timeout.Token).ConfigureAwait(false);
                LogReleased(Identity, options.LeaseName);
            }
        }
        catch (Exception e)
        {
            LogAttemptFailed(e, Identity);
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, _time, ct).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} acquired the lease {Lease}: leading")]
    private partial void LogAcquired(string identity, string lease);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity} could not renew the lease {Lease} within {RenewDeadline}: stopped leading")]
    private partial void LogLost(string identity, string lease, TimeSpan renewDeadline);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} released the lease {Lease}")]
    private partial void LogReleased(string identity, string lease);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Identity}: lease attempt failed")]
    private partial void LogAttemptFailed(Exception exception, string identity);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Identity}: the leader's work failed")]
    private partial void LogLeadFailed(Exception exception, string identity);
}
