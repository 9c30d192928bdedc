using System.CommandLine;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator scale NAME --max-concurrent N`: edits spec.slurm.maxConcurrent, the %N throttle of the job's arrays.
/// The edit starts no new generation; the daemon sees it on the feed and applies it to running arrays with scontrol.
/// </summary>
public sealed class ScaleCommand : ICliCommand
{
    public Command Build()
    {
        var name = JobNameArgument.Create();
        var maxConcurrent = new Option<int>("--max-concurrent")
        {
            Description = "How many of the job's Slurm tasks may run at once (1..100000).",
            Required = true,
        };
        var command = new Command("scale",
            "Change how many of a job's Slurm tasks run at once (spec.slurm.maxConcurrent), applied live by the daemon. " +
            "Exit 1 if the job does not exist or has finished.")
        {
            name, maxConcurrent,
        };
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            CliVerbRunner.RunAsync(parseResult, "scale", async (session, token) =>
            {
                var message = await session.CreateJobControl()
                    .ScaleAsync(parseResult.GetValue(name)!, parseResult.GetValue(maxConcurrent), token).ConfigureAwait(false);
                await session.Output.WriteLineAsync(message).ConfigureAwait(false);
                return ExitCodes.Success;
            }, ct));
        return command;
    }
}
