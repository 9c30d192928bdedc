namespace Coordinator.Scheduling.Commands;

/// <summary>
/// Runs an external program with an argv list — never a shell command line — so no argument is ever split or
/// expanded. The seam lets the Slurm adapter's parsing and retry logic be unit tested.
/// </summary>
public interface ICommandRunner
{
    Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput, CancellationToken ct);
}
