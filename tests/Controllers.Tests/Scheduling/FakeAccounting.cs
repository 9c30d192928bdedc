using Coordinator.Controllers.Ports;

namespace Coordinator.Controllers.Tests.Scheduling;

/// <summary>Slurm accounting as the test sets it: <see cref="Records"/> is what sacct would list; calls are counted.</summary>
public sealed class FakeAccounting : ISchedulerAccounting
{
    public List<AccountedTask> Records { get; } = [];
    public int Calls { get; private set; }
    /// <summary>Off unless a test turns it on: the other controller tests model a cluster without accounting.</summary>
    public bool Available { get; set; }
    public List<TimeSpan> Windows { get; } = [];

    public Task<IReadOnlyList<AccountedTask>> EndedAsync(TimeSpan window, CancellationToken ct)
    {
        Calls++;
        Windows.Add(window);
        return Task.FromResult<IReadOnlyList<AccountedTask>>([.. Records]);
    }
}
