using System.CommandLine;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// The shape shared by cancel, suspend, resume and retry: one or more NAMEs or <c>-l SELECTOR</c> (<see cref="JobTargets"/>),
/// the configured state store (and Slurm, where this machine has it), one <see cref="JobControl"/> action per job, and
/// the documented exit codes.
/// </summary>
public abstract class JobControlVerb : ICliCommand
{
    protected abstract string Name { get; }
    protected abstract string Description { get; }
    protected abstract Task<string> RunAsync(JobControl control, string job, CancellationToken ct);

    public Command Build()
    {
        var names = JobTargets.Names();
        var selector = JobTargets.Selector();
        var command = new Command(Name, Description) { names, selector };
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            CliVerbRunner.RunAsync(parseResult, Name, async (session, token) =>
            {
                if (await JobTargets.ResolveAsync(session, parseResult, names, selector, Name, token).ConfigureAwait(false) is not { } jobs)
                {
                    return ExitCodes.Usage;
                }
                var control = session.CreateJobControl();
                return await JobTargets.ForEachAsync(session, Name, jobs, job => RunAsync(control, job, token)).ConfigureAwait(false);
            }, ct));
        return command;
    }
}
