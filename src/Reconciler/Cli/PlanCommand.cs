using System.CommandLine;
using Coordinator.Model.Documents;
using Coordinator.Model.Loading;
using Coordinator.Reconciler.Cli.Spec;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator plan -f job.yaml [--set k=v]`: prints the resolved job as YAML, after extends, templates and
/// overrides, with every default written out: exactly the spec that submit would store.
/// </summary>
public sealed class PlanCommand : ICliCommand
{
    public Command Build()
    {
        var inputs = new SpecInputOptions();
        var command = new Command("plan",
            "Print the resolved job (extends, templates and --set applied, defaults explicit) as YAML. Exit 1 if it is invalid.");
        inputs.AddTo(command);
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            SpecVerbRunner.RunAsync(parseResult, inputs, "plan", async (result, _, _) =>
            {
                await parseResult.InvocationConfiguration.Output
                    .WriteAsync(YamlWriter.Write(JobDocument.Write(result.Job))).ConfigureAwait(false);
                return ExitCodes.Success;
            }, ct));
        return command;
    }
}
