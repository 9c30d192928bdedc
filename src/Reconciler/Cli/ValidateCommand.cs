using System.CommandLine;
using Coordinator.Reconciler.Cli.Spec;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator validate -f job.yaml`: exit 0 when the job (after extends, templates and --set) is valid, else exit 1
/// listing every error with its path, line and column. Reads DynamoDB only when the spec names a template.
/// </summary>
public sealed class ValidateCommand : ICliCommand
{
    public Command Build()
    {
        var inputs = new SpecInputOptions();
        var command = new Command("validate",
            "Check a job YAML file: types, unknown fields (with suggestions), required fields, ranges and formats. " +
            "Exit 0 when valid; exit 1 listing every error with its line and column.");
        inputs.AddTo(command);
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            SpecVerbRunner.RunAsync(parseResult, inputs, "validate", async (result, _) =>
            {
                var kind = result.Job.IsTemplate ? "template" : "job";
                await parseResult.InvocationConfiguration.Output
                    .WriteLineAsync($"{parseResult.GetValue(inputs.File)}: {kind} \"{result.Job.Name}\" is valid").ConfigureAwait(false);
                return ExitCodes.Success;
            }, ct));
        return command;
    }
}
