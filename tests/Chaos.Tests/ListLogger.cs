using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Coordinator.Chaos.Tests;

/// <summary>Keeps every message (Debug and up) with its exception, time-stamped, for in-process chaos tests.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(DateTime At, LogLevel Level, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((DateTime.UtcNow, logLevel, formatter(state, exception) + (exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")));
}
