using System.CommandLine;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// The shape shared by cancel, suspend, resume and retry: one NAME argument, the configured state store (and Slurm,
/// where this machine has it), one <see cref="JobControl"/> action, and the documented exit codes.
/// </summary>
public abstract class JobControlVerb : ICliCommand
{
    protected abstract string Name { get; }
    protected abstract string Description { get; }
    protected abstract Task<string> RunAsync(JobControl control, string job, CancellationToken ct);

    public Command Build()
    {
        var name = JobNameArgument.Create();
        var command = new Command(Name, Description) { name };
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            CliVerbRunner.RunAsync(parseResult, Name, async (session, token) =>
            {
                var message = await RunAsync(session.CreateJobControl(), parseResult.GetValue(name)!, token).ConfigureAwait(false);
                await session.Output.WriteLineAsync(message).ConfigureAwait(false);
                return ExitCodes.Success;
            }, ct));
        return command;
    }
}
