using System.CommandLine;
using Amazon.Runtime;
using Coordinator.Controllers.Aws;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Scheduling;
using Coordinator.Controllers.State;
using Coordinator.Model.Errors;
using Coordinator.Reconciler.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

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
        var name = new Argument<string>("NAME") { Description = "Job name" };
        var command = new Command(Name, Description) { name };
        command.AcceptOverrides();
        command.SetAction(async (ParseResult parseResult, CancellationToken ct) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                var options = CoordinatorConfiguration.LoadOptions(parseResult);
                using var dynamoDb = new AwsClientFactory(options).CreateDynamoDb();
                using var metrics = new CoordinatorMetrics();
                var state = new DynamoStateStore(dynamoDb, options, metrics);
                IScheduler scheduler = new SlurmScheduler(new ProcessCommandRunner(), NullLogger<SlurmScheduler>.Instance, maxRetryAttempts: 1);
                await output.WriteLineAsync(await RunAsync(new JobControl(state, scheduler), parseResult.GetValue(name)!, ct).ConfigureAwait(false))
                    .ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (CoordinatorConfigurationException e)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or IllegalPhaseTransitionException)
            {
                await error.WriteLineAsync($"{Name}: {e.Message}").ConfigureAwait(false);
                return ExitCodes.UserError;
            }
            catch (ConflictException e)
            {
                await error.WriteLineAsync($"{Name}: the job kept changing under us ({e.Message}); run again").ConfigureAwait(false);
                return ExitCodes.Conflict;
            }
            catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or SchedulerException)
            {
                await error.WriteLineAsync($"{Name}: AWS or Slurm is unreachable or refused the request: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Environment;
            }
        });
        return command;
    }
}
