using System.Collections.Concurrent;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Coordinator.Reconciler.Queue;
using Coordinator.Reconciler.Reconcile;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Reconciler.Tests.Reconcile;

/// <summary>
/// Hammers the queue and the reconcile loop from many threads and checks the invariants the design rests on:
/// a key is never reconciled twice at once, concurrency never exceeds MaxConcurrentReconciles, and every change
/// is observed by a reconcile that started after it (no lost wake-ups), through errors, conflicts and requeues.
/// </summary>
public sealed class ReconcileLoopStressTests
{
    [Fact]
    public async Task Under_concurrent_adds_errors_and_requeues_no_key_runs_twice_at_once_and_no_change_is_lost()
    {
        const int keys = 40, producers = 6, changesPerProducer = 3000, workers = 4;
        var options = new WorkQueueOptions
        {
            MaxConcurrentReconciles = workers,
            BaseRetryDelay = TimeSpan.FromMilliseconds(1),
            MaxRetryDelay = TimeSpan.FromMilliseconds(20),
            OverallRetriesPerSecond = 100_000,
            OverallRetryBurst = 100_000,
        };
        using var metrics = new CoordinatorMetrics();
        using var queue = new WorkQueue<JobKey>(RateLimiters.Default<JobKey>(options, TimeProvider.System), metrics);
        var reconciler = new StressReconciler(keys, workers);
        var loop = new ReconcileLoop(reconciler, queue, options, metrics, NullLogger<ReconcileLoop>.Instance);
        using var stop = new CancellationTokenSource();
        var running = loop.RunAsync(stop.Token, CancellationToken.None);

        // Producers pause now and then so that changes land while keys are queued, processing and idle alike.
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            var random = new Random(p);
            for (var i = 0; i < changesPerProducer; i++)
            {
                var key = random.Next(keys);
                Interlocked.Increment(ref reconciler.Wanted[key]);
                queue.Add(new JobKey($"job-{key}"));
                if (i % 25 == 0)
                {
                    await Task.Delay(1);
                }
            }
        })));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!reconciler.AllObserved() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Empty(reconciler.Violations);
        Assert.True(reconciler.AllObserved(), "some change was never seen by a later reconcile");
        Assert.InRange(reconciler.MaxConcurrent, 1, workers);
        Assert.True(reconciler.Calls > keys, $"only {reconciler.Calls} reconciles");
        Assert.True(reconciler.Failures > 0 && reconciler.Requeues > 0, "the test must exercise errors and requeues");
    }

    private sealed class StressReconciler(int keys, int workers) : IReconciler
    {
        public readonly int[] Wanted = new int[keys];
        private readonly int[] _observed = new int[keys];
        private readonly int[] _active = new int[keys];
        private int _concurrent;
        private int _maxConcurrent;
        private int _calls;
        private int _failures;
        private int _requeues;

        public ConcurrentBag<string> Violations { get; } = [];
        public int MaxConcurrent => _maxConcurrent;
        public int Calls => _calls;
        public int Failures => _failures;
        public int Requeues => _requeues;

        public bool AllObserved()
        {
            for (var i = 0; i < keys; i++)
            {
                if (Volatile.Read(ref _observed[i]) != Volatile.Read(ref Wanted[i]))
                {
                    return false;
                }
            }
            return true;
        }

        public async Task<ReconcileResult> ReconcileAsync(JobKey key, CancellationToken ct)
        {
            var index = int.Parse(key.Name["job-".Length..]);
            var call = Interlocked.Increment(ref _calls);
            var random = Random.Shared;
            if (Interlocked.Increment(ref _active[index]) != 1)
            {
                Violations.Add($"{key} reconciled concurrently");
            }
            var now = Interlocked.Increment(ref _concurrent);
            if (now > workers)
            {
                Violations.Add($"{now} reconciles at once");
            }
            int seen;
            do
            {
                seen = _maxConcurrent;
            }
            while (now > seen && Interlocked.CompareExchange(ref _maxConcurrent, now, seen) != seen);
            try
            {
                var wanted = Volatile.Read(ref Wanted[index]); // level-triggered: read the current state
                Thread.SpinWait(random.Next(2000));
                await Task.Yield();
                if (call % 13 == 0)
                {
                    Interlocked.Increment(ref _failures);
                    throw new InvalidOperationException("transient failure");
                }
                if (call % 17 == 0)
                {
                    Interlocked.Increment(ref _failures);
                    throw new ConflictException("someone else moved the job");
                }
                Volatile.Write(ref _observed[index], Math.Max(Volatile.Read(ref _observed[index]), wanted));
                if (call % 11 == 0)
                {
                    Interlocked.Increment(ref _requeues);
                    return ReconcileResult.RequeueAfter(TimeSpan.FromMilliseconds(2));
                }
                return ReconcileResult.Done;
            }
            finally
            {
                Interlocked.Decrement(ref _concurrent);
                Interlocked.Decrement(ref _active[index]);
            }
        }
    }
}
