using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Coordinator.Aws.S3;
using Coordinator.Data.Formats;
using Coordinator.Data.Layout;
using Coordinator.Data.Partitioning;
using Coordinator.Model.Spec;
using Coordinator.Model.Tasks;
using Coordinator.Reconciler.Cli.Output;
using Coordinator.Reconciler.Cli.Spec;
using Coordinator.Reconciler.Configuration;
using Coordinator.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator run-local -f job.yaml [--batches N] [--input FILE] [--set k=v] [--out DIR]`: "does my handler work",
/// in seconds, without Slurm or the daemon. The job is loaded as `validate` loads it (extends, templates, --set, every
/// error with its line and column); the real partitioner cuts the input (read from file:// or s3://) into batches
/// under DIR (default ./run-local/JOB/); each batch (or the first N) then runs through the worker's own attempt
/// (<see cref="BatchAttempt"/>: sha256 check, scratch directory, handler environment, mode and timeout, output
/// validation and counting) and its result is written under DIR. Nothing is written to S3 or DynamoDB: no task
/// items, no claim, no heartbeat. Prints one row per batch (records in and out, seconds, exit code, result) and the
/// stderr tail of each batch that wrote any; exit 1 when any batch failed.
/// </summary>
public sealed class RunLocalCommand : ICliCommand
{
    /// <summary>Where results go by default, under the working directory: run-local/JOB/.</summary>
    public const string DefaultDirectory = "run-local";

    /// <summary>Lines of a batch's stderr tail printed under the table.</summary>
    public const int StderrLines = 5;

    public Option<int?> Batches { get; } = new("--batches", "-n") { Description = "Run only the first N batches (all by default)." };
    public Option<FileInfo?> Input { get; } = new("--input", "-i") { Description = "Use this local file as the input instead of spec.input.uri (same format)." };
    public Option<DirectoryInfo?> Out { get; } = new("--out", "-o") { Description = "Directory for batches and results (default ./run-local/JOB/)." };

    public Command Build()
    {
        var inputs = new SpecInputOptions();
        var command = new Command("run-local",
            "Run a job's handler on its batches here, with the worker's own code path (checksums, timeout, environment, " +
            "stdio and file modes), and write the results under a local directory: no Slurm, no daemon, nothing written " +
            "to S3 or DynamoDB. Prints records in/out, seconds, exit code and stderr tail per batch; exit 1 if any batch failed.");
        inputs.AddTo(command);
        command.Options.Add(Batches);
        command.Options.Add(Input);
        command.Options.Add(Out);
        Batches.Validators.Add(result =>
        {
            // Read from the token: a value that is no number is the parser's own error, and GetValueOrDefault would throw.
            if (result.Tokens is [var token] && int.TryParse(token.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count) && count < 1)
            {
                result.AddError("--batches must be at least 1");
            }
        });
        Input.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<FileInfo?>() is { Exists: false } file)
            {
                result.AddError($"--input {file}: no such file");
            }
        });
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            SpecVerbRunner.RunAsync(parseResult, inputs, "run-local", (result, session) => RunAsync(parseResult, result.Job, session, ct), ct));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parseResult, Job job, CliSession session, CancellationToken ct)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        if (job.IsTemplate)
        {
            await error.WriteLineAsync($"run-local: {job.Name} is a JobTemplate; give a Job").ConfigureAwait(false);
            return ExitCodes.UserError;
        }
        if (parseResult.GetValue(Input) is { } file)
        {
            job.Spec.Input.Uri = new Uri(file.FullName).AbsoluteUri;
        }
        var directory = Path.GetFullPath(parseResult.GetValue(Out)?.FullName ?? Path.Combine(DefaultDirectory, job.Name));
        var root = new Uri(directory.TrimEnd('/') + "/");
        var layout = new JobLayout(root, job.Name, 1);
        // A fresh run each time: only this job's own subtree of the directory goes (a manifest left by an earlier run
        // would otherwise be reused as committed, whatever the input is now).
        var jobDirectory = JobLayout.JobPrefix(root, job.Name).LocalPath;
        if (Directory.Exists(jobDirectory))
        {
            Directory.Delete(jobDirectory, recursive: true);
        }
        var store = ObjectStoreRouter.Create(session.Aws);
        PartitionResult partition;
        try
        {
            partition = await new Partitioner(store).RunAsync(job, layout, ct).ConfigureAwait(false);
        }
        catch (InputFormatException e)
        {
            await error.WriteLineAsync($"run-local: the input cannot be partitioned ({e.Reason}): {e.Message}").ConfigureAwait(false);
            return ExitCodes.UserError;
        }
        var batches = partition.Manifest.Batches.Take(parseResult.GetValue(Batches) ?? int.MaxValue).ToList();
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{job.Name}: {partition.Manifest.Batches.Count} batches of {partition.Manifest.TotalRecords} records from {job.Spec.Input.Uri}; running {batches.Count}, results under {directory}")).ConfigureAwait(false);

        await using var attempt = new BatchAttempt(store, CoordinatorConfiguration.Load(CoordinatorConfiguration.Build(CoordinatorConfiguration.Overrides(parseResult))).Worker,
            NullLogger.Instance);
        var rows = new List<IReadOnlyList<string?>>();
        var tails = new List<(int Index, string Tail)>();
        var rejects = new List<string>();
        var failed = 0;
        foreach (var batch in batches)
        {
            var task = new JobTask
            {
                Job = job.Name, Generation = layout.Generation, Index = batch.Index, Attempt = 1, State = TaskState.Running,
                InputKey = batch.Key, InputSha256 = batch.Sha256, InputRecords = batch.RecordCount,
            };
            var started = Stopwatch.GetTimestamp();
            var result = await attempt.RunAsync(job, task, layout, _ => Task.FromResult(true), new BatchTiming(), ct, ct).ConfigureAwait(false);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            failed += result.Succeeded ? 0 : 1;
            rows.Add([
                batch.Index.ToString(CultureInfo.InvariantCulture), batch.RecordCount.ToString(CultureInfo.InvariantCulture),
                result.OutputRecords?.ToString(CultureInfo.InvariantCulture) ?? "-", seconds.ToString("F2", CultureInfo.InvariantCulture),
                result.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-",
                result.Succeeded ? new Uri(result.ResultKey!).LocalPath : "FAILED: " + result.Message,
            ]);
            if (result.RejectedRecords is > 0 && result.RejectsKey is { } rejected)
            {
                rejects.Add(string.Create(CultureInfo.InvariantCulture,
                    $"batch {batch.Index}: {result.RejectedRecords} record(s) rejected by the handler, in {new Uri(rejected).LocalPath}"));
            }
            if (result.StderrTail.Trim().Length > 0)
            {
                tails.Add((batch.Index, result.StderrTail));
            }
        }
        await output.WriteAsync(TextTable.Render(Columns, rows, maxWidth: null)).ConfigureAwait(false);
        foreach (var line in rejects)
        {
            await output.WriteLineAsync(line).ConfigureAwait(false);
        }
        foreach (var (index, tail) in tails)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"stderr of batch {index} (last lines):")).ConfigureAwait(false);
            foreach (var line in tail.TrimEnd().Split('\n').TakeLast(StderrLines))
            {
                await output.WriteLineAsync("  " + line.TrimEnd('\r')).ConfigureAwait(false);
            }
        }
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{batches.Count - failed} of {batches.Count} batches succeeded")).ConfigureAwait(false);
        return failed == 0 ? ExitCodes.Success : ExitCodes.UserError;
    }

    private static readonly TableColumn[] Columns =
    [
        new("BATCH", AlignRight: true), new("IN", AlignRight: true), new("OUT", AlignRight: true), new("SECONDS", AlignRight: true),
        new("EXIT", AlignRight: true), new("RESULT", Elision.None),
    ];
}
