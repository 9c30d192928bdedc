using Coordinator.Controllers.Ports;
using Coordinator.Model.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Worker;

/// <summary>
/// Owns the claimed task item while the handler runs: writes its heartbeat periodically, and serialises those writes
/// with the final outcome, so every write is conditional on the latest version. If a write loses its condition,
/// someone else moved the task (the status controller declared it lost, a second attempt claimed it, the job was
/// cancelled): the claim is lost, so the attempt is revoked — the handler is stopped, nothing is uploaded and nothing
/// is overwritten. A write that fails for any other reason (throttling, network) is logged and retried on the next
/// tick; only a lost condition revokes the claim.
/// </summary>
public sealed partial class HeartbeatWriter(IStateStore state, JobTask task, TimeProvider clock, ILogger? logger = null) : IAsyncDisposable
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _revoked = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _failures;

    /// <summary>Cancelled when the task was moved by someone else: the claim is lost.</summary>
    public CancellationToken Revoked => _revoked.Token;

    /// <summary>True once a conditional write found the task moved by someone else.</summary>
    public bool ClaimLost => _revoked.IsCancellationRequested;

    public void Start(TimeSpan interval) => _loop = LoopAsync(interval);

    /// <summary>Applies <paramref name="edit"/> and writes the task conditionally; false when the condition failed.</summary>
    public async Task<bool> WriteAsync(Action<JobTask> edit, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_revoked.IsCancellationRequested)
            {
                return false;
            }
            edit(task);
            task.Version = await state.UpdateTaskAsync(task, ct).ConfigureAwait(false);
            return true;
        }
        catch (ConflictException)
        {
            LogClaimLost(_logger, task.Job, task.Index, task.Attempt);
            await _revoked.CancelAsync().ConfigureAwait(false);
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Proves the claim is still this attempt's now, with a heartbeat written conditionally (a flag alone could be
    /// stale: a worker paused past the staleness limit has had no tick since it resumed). False when the claim is
    /// lost. A transient failure is retried a few times, then thrown: the caller must not act on an unproven claim.
    /// </summary>
    public async Task<bool> ConfirmAsync(CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await WriteAsync(t => t.Heartbeat = clock.GetUtcNow(), ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException && attempt < 3)
            {
                LogBeatFailed(_logger, e, task.Job, task.Index, task.Attempt, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), clock, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task LoopAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    await WriteAsync(t => t.Heartbeat = clock.GetUtcNow(), _stop.Token).ConfigureAwait(false);
                    _failures = 0;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A missed beat is tolerated (six are allowed before the task is lost); the next tick tries again,
                    // and a claim lost meanwhile shows as a failed condition then.
                    LogBeatFailed(_logger, e, task.Job, task.Index, task.Attempt, ++_failures);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        _stop.Dispose();
        _revoked.Dispose();
        _gate.Dispose();
    }

    [LoggerMessage(EventId = 6110, Level = LogLevel.Warning,
        Message = "Claim on {JobName}/{BatchIndex} attempt {Attempt} is lost: the task was moved by someone else (declared lost, claimed again or cancelled)")]
    private static partial void LogClaimLost(ILogger logger, string jobName, int batchIndex, int attempt);

    [LoggerMessage(EventId = 6111, Level = LogLevel.Warning,
        Message = "Heartbeat of {JobName}/{BatchIndex} attempt {Attempt} failed ({Failures} in a row); retrying")]
    private static partial void LogBeatFailed(ILogger logger, Exception exception, string jobName, int batchIndex, int attempt, int failures);
}
