namespace Coordinator.EndToEnd.Tests;

/// <summary>One stack and one daemon shared by the end-to-end tests of a class; each test uses its own job names.</summary>
public sealed class E2eStackFixture : IAsyncLifetime
{
    public E2eStack? Stack { get; private set; }

    public async Task InitializeAsync()
    {
        if (E2eStack.Unavailable is null)
        {
            Stack = new E2eStack();
            await Stack.StartAsync();
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
