namespace Coordinator.Chaos.Tests;

/// <summary>One stack and one daemon for the worker-fault tests; each test uses its own jobs.</summary>
public class WorkerFaultStackFixture : IAsyncLifetime
{
    internal ChaosStack? Stack { get; private set; }

    /// <summary>Settings the daemon (and, through sbatch's exported environment, its workers) runs with besides the stack's.</summary>
    protected virtual IReadOnlyDictionary<string, string?>? DaemonSettings => null;

    public async Task InitializeAsync()
    {
        if (ChaosStack.Unavailable is null)
        {
            Stack = new ChaosStack("wf");
            await Stack.InitAsync();
            Stack.StartDaemon("daemon", DaemonSettings);
        }
    }

    public async Task DisposeAsync()
    {
        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }
    }
}

/// <summary>
/// The worker-fault stack with a 1 s heartbeat, so a task is stale after 6 s (HeartbeatOptions.MissedBeatsBeforeLost
/// beats): a paused worker is declared lost within seconds. Workers read the interval from the environment sbatch
/// exports from the daemon.
/// </summary>
public sealed class PausedWorkerStackFixture : WorkerFaultStackFixture
{
    protected override IReadOnlyDictionary<string, string?> DaemonSettings { get; } =
        new Dictionary<string, string?> { ["COORDINATOR__HEARTBEAT__INTERVAL"] = "00:00:01" };
}
