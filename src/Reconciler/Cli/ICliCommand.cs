using System.CommandLine;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// One verb of the `coordinator` command. Every non-abstract implementation with a parameterless
/// constructor in this assembly is discovered by <see cref="CliApplication"/>, so verbs live one per file.
/// </summary>
public interface ICliCommand
{
    Command Build();
}
