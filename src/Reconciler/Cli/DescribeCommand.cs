using System.CommandLine;
using Coordinator.Controllers.Tasks;
using Coordinator.Reconciler.Cli.Output;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator describe job NAME`: everything an operator asks first about one job — status, conditions, the Slurm
/// jobs it ran in, the latest failures with their stderr tails, and the resolved spec. Reads every task item (paged),
/// so it costs one Query page per 1,000 batches; use `get job` for a cheap look.
/// </summary>
public sealed class DescribeCommand : ICliCommand
{
    public Command Build()
    {
        var name = JobNameArgument.Create();
        var job = new Command("job", "Describe one job: status, conditions, Slurm ids, recent failures with stderr, spec. Exit 1 if it does not exist.") { name };
        job.AcceptOverrides();
        job.SetAction((ParseResult parseResult, CancellationToken ct) =>
            CliVerbRunner.RunAsync(parseResult, "describe job", async (session, token) =>
            {
                var found = await CliVerbRunner.RequireJobAsync(session, parseResult.GetValue(name)!, token).ConfigureAwait(false);
                var tasks = await TaskReader.ReadAllAsync(session.State, found.Name, found.Generation, token).ConfigureAwait(false);
                await session.Output.WriteAsync(JobDescription.Render(found, tasks, DateTimeOffset.UtcNow, TextTable.ConsoleWidth()))
                    .ConfigureAwait(false);
                return ExitCodes.Success;
            }, ct));
        var command = new Command("describe", "Show the details of a resource (describe job NAME, describe template NAME).");
        command.Subcommands.Add(job);
        command.Subcommands.Add(TemplateVerbs.Describe());
        return command;
    }
}
