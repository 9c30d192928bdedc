using Coordinator.Controllers.Ports;
using Coordinator.Model.Tasks;

namespace Coordinator.Worker;

/// <summary>
/// Owns the claimed task item while the handler runs: writes its heartbeat periodically, and serialises those writes
/// with the final outcome, so every write is conditional on the latest version. If a heartbeat write loses its
/// condition, someone else moved the task (the status controller declared it lost, or the job was cancelled), so
/// the attempt is revoked: the handler is stopped and nothing is overwritten.
/// </summary>
public sealed class HeartbeatWriter(IStateStore state, JobTask task, TimeProvider clock) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _revoked = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <summary>Cancelled when the task was moved by someone else.</summary>
    public CancellationToken Revoked => _revoked.Token;

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
            await _revoked.CancelAsync().ConfigureAwait(false);
            return false;
        }
        finally
        {
            _gate.Release();
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
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A missed beat is tolerated (six are allowed); the next tick tries again.
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
}
