using System.CommandLine;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator watch NAME [--interval 2s] [--timeout 1h]`: follows a job until it ends, with a progress bar of
/// batches done of total, the rate and the ETA, and exits with the job's outcome: 0 Succeeded, 1 Failed, 5 Cancelled,
/// 6 Invalid, 7 still running at --timeout. On a terminal the line is redrawn in place; into a pipe or file a plain
/// line is printed only when the phase or a count changes, so a log stays short. It polls one consistent GetItem
/// per interval (the job's status carries the counts), never the task items.
/// </summary>
public sealed class WatchCommand : ICliCommand
{
    public Command Build()
    {
        var name = JobNameArgument.Create();
        var interval = new Option<TimeSpan>("--interval")
        {
            Description = "How often to read the job, e.g. 2s (default) or 500ms.",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(2),
            CustomParser = r => ParseDuration(r, r.Tokens.Count > 0 ? r.Tokens[0].Value : "2s"),
        };
        var timeout = new Option<TimeSpan?>("--timeout")
        {
            Description = "Give up after this long (e.g. 30m) with exit code 7; default: wait for the job to end.",
            CustomParser = r => ParseDuration(r, r.Tokens.Count > 0 ? r.Tokens[0].Value : "0s"),
        };
        var command = new Command("watch",
            "Follow a job with a live progress bar (batches done of total, rate, ETA) until it ends; the exit code is its " +
            "outcome: 0 Succeeded, 1 Failed, 5 Cancelled, 6 Invalid, 7 --timeout passed.")
        {
            name, interval, timeout,
        };
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            CliVerbRunner.RunAsync(parseResult, "watch", (session, token) =>
                new JobWatcher(session, parseResult.GetValue(interval), parseResult.GetValue(timeout))
                    .RunAsync(parseResult.GetValue(name)!, token), ct));
        return command;
    }

    private static TimeSpan ParseDuration(System.CommandLine.Parsing.ArgumentResult result, string text)
    {
        if (text.EndsWith("ms", StringComparison.Ordinal)
            && int.TryParse(text[..^2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms) && ms > 0)
        {
            return TimeSpan.FromMilliseconds(ms);
        }
        if (Coordinator.Model.Units.Duration.TryParse(text, out var span, out _) && span > TimeSpan.Zero)
        {
            return span;
        }
        result.AddError($"\"{text}\" is not a duration such as 500ms, 2s, 10m or 1h");
        return TimeSpan.FromSeconds(2);
    }

    /// <summary>The exit code for a job that stopped progressing, or null while it is still on its way.</summary>
    public static int? OutcomeExitCode(JobPhase phase) => phase switch
    {
        JobPhase.Succeeded => ExitCodes.Success,
        JobPhase.Failed => ExitCodes.UserError,
        JobPhase.Cancelled => ExitCodes.JobCancelled,
        JobPhase.Invalid => ExitCodes.JobInvalid,
        _ => null,
    };

    /// <summary>The closing line: what happened and where the output is.</summary>
    public static string Summary(Job job) => job.Status.Phase switch
    {
        JobPhase.Succeeded => $"job \"{job.Name}\" Succeeded: {job.Status.Batches.Succeeded}/{job.Status.Batches.Total} batches, " +
                              $"{job.Status.Records.Output} records out{(job.Status.Output is { Uri.Length: > 0 } o ? " to " + o.Uri : "")}",
        _ => $"job \"{job.Name}\" {job.Status.Phase}: {(job.Status.Message is { Length: > 0 } m ? m : "no message")}" +
             (string.IsNullOrEmpty(job.Status.FailedIndexes) ? "" : $" (failed batches {job.Status.FailedIndexes})"),
    };
}
