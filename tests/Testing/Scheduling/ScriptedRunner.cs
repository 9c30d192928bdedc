using Coordinator.Scheduling.Commands;

namespace Coordinator.Testing.Scheduling;

/// <summary>
/// A command runner that answers with <paramref name="results"/> in order, repeating the last one, and records every call.
/// </summary>
public sealed class ScriptedRunner(params CommandResult[] results) : ICommandRunner
{
    public List<(string Program, IReadOnlyList<string> Args, string? Stdin)> Calls { get; } = [];

    public Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput, CancellationToken ct)
    {
        lock (Calls)
        {
            Calls.Add((program, arguments, standardInput));
            return Task.FromResult(results[Math.Min(Calls.Count - 1, results.Length - 1)]);
        }
    }
}
