using System.CommandLine;
using Amazon.DynamoDBv2.Model;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// Runs a verb against the stack and maps what went wrong to the documented exit codes with <see cref="ExitCodes.For"/>,
/// as every verb does: 1 user error (not found, not allowed in this phase), 2 bad settings, 3 AWS/Slurm unreachable
/// (including Slurm's commands not being installed here: Win32Exception), 4 conflict.
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
        catch (Exception e) when (ExitCodes.For(e) is { } code)
        {
            await error.WriteLineAsync(Message(verb, e, code)).ConfigureAwait(false);
            return code;
        }
    }

    /// <summary>What the user reads about a failure <see cref="ExitCodes.For"/> mapped to <paramref name="code"/>.</summary>
    internal static string Message(string verb, Exception e, int code) => (e, code) switch
    {
        (_, ExitCodes.Usage) => e.Message,
        (_, ExitCodes.Conflict) => $"{verb}: the job kept changing under us ({e.Message}); run again",
        (ResourceNotFoundException, _) => $"{verb}: a table is missing ({e.Message}); run `coordinator init` first",
        (_, ExitCodes.Environment) => $"{verb}: AWS or Slurm is unreachable or refused the request: {e.Message}",
        _ => $"{verb}: {e.Message}",
    };

    /// <summary>Reads the job or throws <see cref="KeyNotFoundException"/> naming it and the table (exit 1).</summary>
    public static async Task<Coordinator.Model.Spec.Job> RequireJobAsync(CliSession session, string name, CancellationToken ct) =>
        await session.State.GetJobAsync(name, ct).ConfigureAwait(false)
        ?? throw new KeyNotFoundException($"job \"{name}\" not found in {session.Options.JobsTable}");
}
