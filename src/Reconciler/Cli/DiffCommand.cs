using System.CommandLine;
using Coordinator.Reconciler.Cli.Spec;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>`coordinator diff -f job.yaml` (kubectl's diff): what apply would change; exit 1 when there are differences.</summary>
public sealed class DiffCommand : ICliCommand
{
    public Command Build()
    {
        var inputs = new SpecInputOptions();
        var command = new Command("diff",
            "Show how a job YAML file differs from the job in the table (labels and the full spec, templates merged). " +
            "Writes nothing. Exit 0 when there is no difference, 1 when there are differences (or the spec is invalid), " +
            "3 if AWS is unreachable.");
        inputs.AddTo(command);
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            SpecVerbRunner.RunAsync(parseResult, inputs, "diff", async (result, session) =>
            {
                var stored = await session.State.GetJobAsync(result.Job.Name, ct).ConfigureAwait(false);
                var diff = SpecDiff.Between(stored, result.Job);
                foreach (var line in diff)
                {
                    await session.Output.WriteLineAsync(line).ConfigureAwait(false);
                }
                return diff.Count == 0 ? ExitCodes.Success : ExitCodes.UserError;
            }, ct));
        return command;
    }
}
