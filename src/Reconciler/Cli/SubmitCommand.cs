using System.CommandLine;
using Amazon.DynamoDBv2.Model;
using Coordinator.Controllers.Ports;
using Coordinator.Reconciler.Cli.Spec;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator submit -f job.yaml [--set k=v] [--replace]`: validates, then writes the resolved spec to the jobs
/// table with a conditional write. An existing job is refused unless --replace, and a replace changes only the
/// spec and labels: status, version and generation are the daemon's and are kept (it sees the new spec by its hash).
/// A kind: JobTemplate file is stored as the template item that spec.template names.
/// </summary>
public sealed class SubmitCommand : ICliCommand
{
    public Command Build()
    {
        var inputs = new SpecInputOptions();
        var replace = new Option<bool>("--replace")
        {
            Description = "Replace the spec of an existing job (its status is kept; the daemon reconciles the new generation).",
        };
        var command = new Command("submit",
            "Validate a job YAML file and write it to the jobs table. Refuses to overwrite an existing job unless --replace. " +
            "Exit 0 on success, 1 if the spec is invalid or the job exists, 3 if AWS is unreachable.");
        inputs.AddTo(command);
        command.Options.Add(replace);
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            SpecVerbRunner.RunAsync(parseResult, inputs, "submit", async (result, session) =>
            {
                var output = parseResult.InvocationConfiguration.Output;
                var error = parseResult.InvocationConfiguration.Error;
                var job = result.Job;
                var replacing = parseResult.GetValue(replace);
                var options = session.Options;
                try
                {
                    if (job.IsTemplate)
                    {
                        await TemplateWriter.PutAsync(session.DynamoDb, options.JobsTable, job, replacing, ct).ConfigureAwait(false);
                    }
                    else
                    {
                        await session.State.PutJobSpecAsync(job, replacing, ct).ConfigureAwait(false);
                    }
                }
                catch (ConflictException)
                {
                    await error.WriteLineAsync(
                        $"submit refused: {(job.IsTemplate ? "template" : "job")} \"{job.Name}\" already exists in {options.JobsTable}; " +
                        "use --replace to change its spec (a job's status is kept)").ConfigureAwait(false);
                    return ExitCodes.UserError;
                }
                catch (ResourceNotFoundException e)
                {
                    await error.WriteLineAsync($"submit failed: table {options.JobsTable} not found ({e.Message}); run `coordinator init` first").ConfigureAwait(false);
                    return ExitCodes.Environment;
                }
                var what = job.IsTemplate ? "template" : "job";
                await output.WriteLineAsync($"{what}/{job.Name} {(replacing ? "submitted (spec replaced if it existed)" : "created")} in {options.JobsTable}").ConfigureAwait(false);
                return ExitCodes.Success;
            }, ct));
        return command;
    }
}
