using Coordinator.Controllers;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Reconciler.Hosting;
using Coordinator.Reconciler.Reconcile;
using Coordinator.Reconciler.Tests.Reconcile;
using Coordinator.Testing.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Coordinator.Reconciler.Tests.Hosting;

public sealed class IdleTrimmerTests : IDisposable
{
    private readonly InMemoryStateStore _store = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero));
    private readonly CoordinatorMetrics _metrics = new();

    [Fact]
    public async Task Start_and_each_reconcile_burst_are_trimmed_once_after_the_quiet_period()
    {
        _store.UserPut(JobReconcilerTests.ValidJob("wc"));
        var reconciler = new JobReconciler(_store, [new ValidationController()], new CoordinatorOptions(), _metrics,
            NullLogger<JobReconciler>.Instance, _time);
        using var trimmer = new IdleTrimmer(reconciler, new IdleTrimPolicy(TimeSpan.FromSeconds(10), long.MaxValue), _time, NullLogger<IdleTrimmer>.Instance);
        // The trimmer is not started: its timer would race these explicit checks on the fake clock.
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(trimmer.CheckOnce()); // just started
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(trimmer.CheckOnce()); // the start's own burst, once quiet

        await reconciler.ReconcileAsync(new JobKey("wc"), default);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(trimmer.CheckOnce()); // still within the quiet period

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(trimmer.CheckOnce());
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.False(trimmer.CheckOnce()); // one trim per quiet spell

        await reconciler.ReconcileAsync(new JobKey("wc"), default);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(trimmer.CheckOnce());
        Assert.Equal(3, trimmer.Trims);
    }

    public void Dispose() => _metrics.Dispose();
}
