using System.Reflection;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Tasks;
using Coordinator.Testing.State;
using Coordinator.Worker;
using Microsoft.Extensions.Logging;

namespace Coordinator.Controllers.Tests.Worker;

/// <summary>A failed heartbeat write is logged and retried, never swallowed; only a failed condition loses the claim.</summary>
public sealed class HeartbeatWriterTests
{
    [Fact]
    public async Task Transient_heartbeat_failures_are_logged_and_retried_and_do_not_lose_the_claim()
    {
        var inner = new InMemoryStateStore();
        await inner.PutTasksAsync([new JobTask { Job = "beat", Index = 0, State = TaskState.Running, Attempt = 1 }], default);
        var task = (await inner.GetTaskAsync("beat", 0, default))!;
        var state = FailingUpdates.Wrap(inner, failures: 2);
        var logger = new Recorder();
        var heartbeat = new HeartbeatWriter(state, task, TimeProvider.System, logger);
        await using (heartbeat)
        {
            heartbeat.Start(TimeSpan.FromMilliseconds(50));
            for (var deadline = DateTime.UtcNow.AddSeconds(10); inner.Stored("beat", 0).Heartbeat is null; await Task.Delay(20))
            {
                Assert.True(DateTime.UtcNow < deadline, "no heartbeat was ever written");
            }
            Assert.False(heartbeat.ClaimLost);
            Assert.True(await heartbeat.ConfirmAsync(default));
        }
        Assert.Equal(2, logger.Lines.Count(l => l.StartsWith("Warning: Heartbeat of beat/0 attempt 1 failed", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_heartbeat_whose_condition_fails_loses_the_claim_and_says_so()
    {
        var state = new InMemoryStateStore();
        await state.PutTasksAsync([new JobTask { Job = "moved", Index = 0, State = TaskState.Running, Attempt = 1 }], default);
        var task = (await state.GetTaskAsync("moved", 0, default))!;
        var other = (await state.GetTaskAsync("moved", 0, default))!;
        other.Attempt = 2;
        await state.UpdateTaskAsync(other, default);
        var logger = new Recorder();
        await using var heartbeat = new HeartbeatWriter(state, task, TimeProvider.System, logger);
        Assert.False(await heartbeat.ConfirmAsync(default));
        Assert.True(heartbeat.ClaimLost);
        Assert.Contains(logger.Lines, l => l.StartsWith("Warning: Claim on moved/0 attempt 1 is lost", StringComparison.Ordinal));
    }

    private sealed class Recorder : ILogger
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add($"{logLevel}: {formatter(state, exception)}");
            }
        }
    }

    /// <summary>The state store, whose first task updates fail as a throttled or unreachable DynamoDB would.</summary>
    public class FailingUpdates : DispatchProxy
    {
        private IStateStore _inner = null!;
        private int _failures;

        public static IStateStore Wrap(IStateStore inner, int failures)
        {
            var proxy = Create<IStateStore, FailingUpdates>();
            var self = (FailingUpdates)(object)proxy;
            self._inner = inner;
            self._failures = failures;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IStateStore.UpdateTaskAsync) && Interlocked.Decrement(ref _failures) >= 0)
            {
                return Task.FromException<long>(new IOException("throttled"));
            }
            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }
}
