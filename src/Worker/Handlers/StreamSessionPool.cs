using Coordinator.Model.Spec;

namespace Coordinator.Worker.Handlers;

/// <summary>
/// The stream-mode handlers of one worker: an attempt rents a session for its batch and returns it, so a pilot
/// running N batches at once keeps at most N handler processes (one per slot), each serving batch after batch; array
/// mode has one session per array task. Sessions are kept per job and generation (the handler spec is the job's).
/// Disposing the pool ends every session (stdin closed, then stopped after the grace period).
/// </summary>
public sealed class StreamSessionPool(WorkerOptions options) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Job, long Generation), Stack<StreamHandlerSession>> _idle = [];
    private readonly List<(StreamHandlerSession Session, ScratchDirectory Directory)> _all = [];

    /// <summary>An idle session of <paramref name="job"/>'s handler, or a new one (its process starts on its first batch).</summary>
    public StreamHandlerSession Rent(Job job)
    {
        lock (_gate)
        {
            if (_idle.TryGetValue((job.Name, job.Generation), out var idle) && idle.Count > 0)
            {
                return idle.Pop();
            }
            var directory = ScratchDirectory.Create(options.ScratchRoot, $"{job.Name}-stream-{_all.Count}", options.MinFreeBytes);
            var session = new StreamHandlerSession(job.Spec.Handler, job.Name, options, directory.Path, StreamHandlerSession.FormatsOf(job.Spec));
            _all.Add((session, directory));
            return session;
        }
    }

    /// <summary>Gives a session back after its batch ended, whatever the end (a stopped handler restarts on the next batch).</summary>
    public void Return(Job job, StreamHandlerSession session)
    {
        lock (_gate)
        {
            if (!_idle.TryGetValue((job.Name, job.Generation), out var idle))
            {
                _idle[(job.Name, job.Generation)] = idle = new Stack<StreamHandlerSession>();
            }
            idle.Push(session);
        }
    }

    /// <summary>Handler processes started by all sessions so far (restarts included).</summary>
    public int Starts
    {
        get
        {
            lock (_gate)
            {
                return _all.Sum(s => s.Session.Starts);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<(StreamHandlerSession Session, ScratchDirectory Directory)> all;
        lock (_gate)
        {
            all = [.. _all];
            _all.Clear();
            _idle.Clear();
        }
        await Task.WhenAll(all.Select(async s =>
        {
            await s.Session.DisposeAsync().ConfigureAwait(false);
            s.Directory.Dispose();
        })).ConfigureAwait(false);
    }
}
