using Coordinator.Controllers.Metrics;
using Coordinator.Reconciler.Queue;
using Coordinator.Reconciler.Reconcile;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Reconciler.Tests.Reconcile;

/// <summary>A reconcile loop runs one leadership term: it tells the reconciler the term began before any pass.</summary>
public sealed class ReconcileLoopTermTests
{
    [Fact]
    public async Task Each_run_of_the_loop_begins_a_term_before_its_first_pass()
    {
        var options = new WorkQueueOptions { MaxConcurrentReconciles = 2 };
        using var metrics = new CoordinatorMetrics();
        var reconciler = new TermRecorder();
        for (var term = 1; term <= 2; term++)
        {
            using var queue = new WorkQueue<JobKey>(RateLimiters.Default<JobKey>(options, TimeProvider.System), metrics);
            queue.Add(new JobKey("a"));
            using var stop = new CancellationTokenSource();
            var running = new ReconcileLoop(reconciler, queue, options, metrics, NullLogger<ReconcileLoop>.Instance).RunAsync(stop.Token, CancellationToken.None);
            await reconciler.WaitForPassesAsync(term);
            await stop.CancelAsync();
            await running;
        }
        Assert.Equal(["term", "pass a", "term", "pass a"], reconciler.Log);
    }

    private sealed class TermRecorder : IReconciler
    {
        private readonly Lock _gate = new();
        public List<string> Log { get; } = [];

        public void BeginTerm()
        {
            lock (_gate)
            {
                Log.Add("term");
            }
        }

        public Task<ReconcileResult> ReconcileAsync(JobKey key, CancellationToken ct)
        {
            lock (_gate)
            {
                Log.Add("pass " + key.Name);
            }
            return Task.FromResult(ReconcileResult.Done);
        }

        public async Task WaitForPassesAsync(int passes)
        {
            for (var waited = 0; waited < 500; waited++)
            {
                lock (_gate)
                {
                    if (Log.Count(l => l.StartsWith("pass", StringComparison.Ordinal)) >= passes)
                    {
                        return;
                    }
                }
                await Task.Delay(10);
            }
            throw new TimeoutException($"{passes} passes not seen: {string.Join(", ", Log)}");
        }
    }
}
