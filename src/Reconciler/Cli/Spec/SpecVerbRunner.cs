using System.CommandLine;
using Coordinator.Aws.DynamoDb;
using Coordinator.Model.Errors;
using Coordinator.Model.Loading;
using Coordinator.Model.Validation;

namespace Coordinator.Reconciler.Cli.Spec;

/// <summary>
/// What validate, plan and submit share: load options, load the file (extends, templates, --set), print every
/// error, and map failures to exit codes (1 bad spec, 2 bad settings, 3 AWS unreachable).
/// </summary>
public static class SpecVerbRunner
{
    /// <summary>Loads the job and hands it to <paramref name="onValid"/>; prints errors and returns 1 if invalid.</summary>
    public static async Task<int> RunAsync(
        ParseResult parseResult, SpecInputOptions inputs, string verb,
        Func<LoadResult, CliSession, Task<int>> onValid, CancellationToken ct)
    {
        var error = parseResult.InvocationConfiguration.Error;
        try
        {
            using var session = new CliSession(parseResult);
            using var templates = new DynamoTemplateSource(() => session.DynamoDb, session.Options.JobsTable, ownsClient: false);
            var file = parseResult.GetValue(inputs.File)!;
            var sets = parseResult.GetValue(inputs.Set) ?? [];
            var loader = new JobLoader(templates);
            // `-f -` reads the YAML from standard input, as kubectl does.
            var result = file.ToString() == "-"
                ? await loader.LoadTextAsync(await Console.In.ReadToEndAsync(ct).ConfigureAwait(false), sets, ct).ConfigureAwait(false)
                : await loader.LoadFileAsync(file.FullName, LocalSpecFiles.Instance, sets, ct).ConfigureAwait(false);
            if (!result.IsValid)
            {
                await PrintErrorsAsync(error, file.ToString(), result.Errors).ConfigureAwait(false);
                return ExitCodes.UserError;
            }
            return await onValid(result, session).ConfigureAwait(false);
        }
        catch (Exception e) when (ExitCodes.For(e) is { } code)
        {
            if (e is SpecException spec)
            {
                await PrintErrorsAsync(error, parseResult.GetValue(inputs.File)?.ToString() ?? "", spec.Errors).ConfigureAwait(false);
            }
            else
            {
                await error.WriteLineAsync(FailureMessage(verb, e, code)).ConfigureAwait(false);
            }
            return code;
        }
    }

    /// <summary>
    /// What validate, plan, submit and init print about a failure <see cref="ExitCodes.For"/> mapped to
    /// <paramref name="code"/>: settings errors as they are, AWS with where to look, anything else after "VERB failed:".
    /// </summary>
    public static string FailureMessage(string verb, Exception e, int code) => code switch
    {
        ExitCodes.Usage => e.Message,
        ExitCodes.Environment => $"{verb} failed: AWS is unreachable or refused the request: {e.Message} " +
                                 "(check AWS_ENDPOINT_URL, the credentials and the region)",
        _ => $"{verb} failed: {e.Message}",
    };

    public static async Task PrintErrorsAsync(TextWriter error, string file, IReadOnlyList<SpecError> errors)
    {
        await error.WriteLineAsync($"{file}: {errors.Count} error{(errors.Count == 1 ? "" : "s")}").ConfigureAwait(false);
        foreach (var e in errors)
        {
            await error.WriteLineAsync("  " + e).ConfigureAwait(false);
        }
    }
}
