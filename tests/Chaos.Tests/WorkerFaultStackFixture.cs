namespace Coordinator.Chaos.Tests;

/// <summary>One stack and one daemon for the worker-fault tests; each test uses its own jobs.</summary>
public sealed class WorkerFaultStackFixture : IAsyncLifetime
{
    internal ChaosStack? Stack { get; private set; }

    public async Task InitializeAsync()
    {
        if (ChaosStack.Unavailable is null)
        {
            Stack = new ChaosStack("wf");
            await Stack.InitAsync();
            Stack.StartDaemon("daemon");
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
