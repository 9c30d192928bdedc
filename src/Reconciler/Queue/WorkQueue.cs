using Coordinator.Controllers.Metrics;

namespace Coordinator.Reconciler.Queue;

/// <summary>
/// A rate-limited, delaying work queue with client-go's guarantees, which the reconcile loop depends on:
/// <list type="bullet">
/// <item>a key added while already waiting is not queued twice (dirty set);</item>
/// <item>a key handed out is never handed out again until <see cref="Done"/>: one job is never reconciled concurrently;</item>
/// <item>a key added while it is being processed is queued again when <see cref="Done"/> is called, so no change is lost;</item>
/// <item><see cref="AddAfter"/> serves RequeueAfter (the earliest pending deadline wins), and
/// <see cref="AddRateLimited"/> serves errors through the per-key and overall limits;</item>
/// <item><see cref="ShutDownAsync"/> stops handing out keys and waits for in-flight work to finish (drain).</item>
/// </list>
/// One instance lives for one leadership term; a new term starts a new queue from a full list.
/// </summary>
public sealed class WorkQueue<TKey> : IDisposable where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly Queue<TKey> _ready = new();
    private readonly HashSet<TKey> _dirty = [];
    private readonly HashSet<TKey> _processing = [];
    private readonly Dictionary<TKey, long> _readySince = [];
    private readonly Dictionary<TKey, (DateTimeOffset At, ITimer Timer)> _waiting = [];
    private readonly SemaphoreSlim _available = new(0);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IRateLimiter<TKey> _limiter;
    private readonly TimeProvider _time;
    private readonly CoordinatorMetrics _metrics;
    private bool _shuttingDown;

    public WorkQueue(IRateLimiter<TKey> limiter, CoordinatorMetrics metrics, TimeProvider? time = null)
    {
        _limiter = limiter;
        _time = time ?? TimeProvider.System;
        _metrics = metrics;
        metrics.ObserveQueueDepth(() => Length);
    }

    /// <summary>Keys ready to be handed out (not counting those being processed or waiting for a delay).</summary>
    public int Length
    {
        get
        {
            lock (_lock)
            {
                return _ready.Count;
            }
        }
    }

    public bool IsShuttingDown
    {
        get
        {
            lock (_lock)
            {
                return _shuttingDown;
            }
        }
    }

    public void Add(TKey key)
    {
        lock (_lock)
        {
            if (_shuttingDown || !_dirty.Add(key))
            {
                return;
            }
            _readySince[key] = _time.GetTimestamp();
            _metrics.QueueAdded();
            if (_processing.Contains(key))
            {
                return; // Done() queues it again.
            }
            _ready.Enqueue(key);
        }
        _available.Release();
    }

    /// <summary>Adds the key after <paramref name="delay"/>; an earlier pending deadline for the same key wins.</summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }
        lock (_lock)
        {
            if (_shuttingDown)
            {
                return;
            }
            var at = _time.GetUtcNow() + delay;
            if (_waiting.TryGetValue(key, out var pending))
            {
                if (pending.At <= at)
                {
                    return;
                }
                pending.Timer.Dispose();
            }
            ITimer? timer = null;
            timer = _time.CreateTimer(_ => Fire(key, timer!), null, delay, Timeout.InfiniteTimeSpan);
            _waiting[key] = (at, timer);
        }
    }

    /// <summary>Re-adds a key after an error, as late as the rate limiter says (per-key backoff, overall limit).</summary>
    public void AddRateLimited(TKey key)
    {
        _metrics.QueueRetried();
        AddAfter(key, _limiter.When(key));
    }

    /// <summary>The key was reconciled successfully: its next error backs off from the start again.</summary>
    public void Forget(TKey key) => _limiter.Forget(key);

    public int NumRequeues(TKey key) => _limiter.NumRequeues(key);

    /// <summary>
    /// Waits for a key and marks it processing. Returns (false, default) once the queue shuts down (or
    /// <paramref name="ct"/> is cancelled): callers stop taking work then.
    /// </summary>
    public async Task<(bool Ok, TKey Key)> GetAsync(CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _shutdown.Token);
        try
        {
            await _available.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return (false, default!);
        }
        lock (_lock)
        {
            if (_shuttingDown || _ready.Count == 0)
            {
                return (false, default!);
            }
            var key = _ready.Dequeue();
            _processing.Add(key);
            _dirty.Remove(key);
            if (_readySince.Remove(key, out var since))
            {
                _metrics.QueueWaited(_time.GetElapsedTime(since));
            }
            return (true, key);
        }
    }

    /// <summary>Processing of the key ended; if it was added meanwhile it is queued again now.</summary>
    public void Done(TKey key)
    {
        var requeued = false;
        lock (_lock)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key) && !_shuttingDown)
            {
                _ready.Enqueue(key);
                requeued = true;
            }
            if (_shuttingDown && _processing.Count == 0)
            {
                _drained.TrySetResult();
            }
        }
        if (requeued)
        {
            _available.Release();
        }
    }

    /// <summary>
    /// Stops handing out keys, drops pending delays, and waits up to <paramref name="drainTimeout"/> for the keys
    /// being processed to be Done. Returns true when everything in flight finished.
    /// </summary>
    public async Task<bool> ShutDownAsync(TimeSpan drainTimeout)
    {
        lock (_lock)
        {
            if (!_shuttingDown)
            {
                _shuttingDown = true;
                foreach (var (_, (_, timer)) in _waiting)
                {
                    timer.Dispose();
                }
                _waiting.Clear();
                if (_processing.Count == 0)
                {
                    _drained.TrySetResult();
                }
            }
        }
        await _shutdown.CancelAsync().ConfigureAwait(false);
        try
        {
            await _drained.Task.WaitAsync(drainTimeout, _time).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var (_, (_, timer)) in _waiting)
            {
                timer.Dispose();
            }
            _waiting.Clear();
        }
        _shutdown.Dispose();
        _available.Dispose();
    }

    private void Fire(TKey key, ITimer timer)
    {
        lock (_lock)
        {
            if (!_waiting.TryGetValue(key, out var pending) || !ReferenceEquals(pending.Timer, timer))
            {
                return; // superseded by an earlier deadline
            }
            _waiting.Remove(key);
        }
        timer.Dispose();
        Add(key);
    }
}
