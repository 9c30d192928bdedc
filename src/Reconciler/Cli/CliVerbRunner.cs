using System.CommandLine;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Errors;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// Runs a verb against the stack and maps what went wrong to the documented exit codes, the same way for every
/// verb: 1 user error (not found, not allowed in this phase), 2 bad settings, 3 AWS/Slurm unreachable (including
/// Slurm's commands not being installed here: Win32Exception), 4 conflict.
/// </summary>
public static class CliVerbRunner
{
    public static async Task<int> RunAsync(ParseResult parseResult, string verb, Func<CliSession, CancellationToken, Task<int>> body, CancellationToken ct)
    {
        var error = parseResult.InvocationConfiguration.Error;
        try
        {
            using var session = new CliSession(parseResult);
            return await body(session, ct).ConfigureAwait(false);
        }
        catch (CoordinatorConfigurationException e)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or IllegalPhaseTransitionException or ArgumentException)
        {
            await error.WriteLineAsync($"{verb}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.UserError;
        }
        catch (ConflictException e)
        {
            await error.WriteLineAsync($"{verb}: the job kept changing under us ({e.Message}); run again").ConfigureAwait(false);
            return ExitCodes.Conflict;
        }
        catch (ResourceNotFoundException e)
        {
            await error.WriteLineAsync($"{verb}: a table is missing ({e.Message}); run `coordinator init` first").ConfigureAwait(false);
            return ExitCodes.Environment;
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or SchedulerException
                                      or System.ComponentModel.Win32Exception)
        {
            await error.WriteLineAsync($"{verb}: AWS or Slurm is unreachable or refused the request: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Environment;
        }
    }

    /// <summary>Reads the job or throws <see cref="KeyNotFoundException"/> naming it and the table (exit 1).</summary>
    public static async Task<Coordinator.Model.Spec.Job> RequireJobAsync(CliSession session, string name, CancellationToken ct) =>
        await session.State.GetJobAsync(name, ct).ConfigureAwait(false)
        ?? throw new KeyNotFoundException($"job \"{name}\" not found in {session.Options.JobsTable}");
}
