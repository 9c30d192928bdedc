using Coordinator.Controllers.Retry;
using Coordinator.Controllers.Tasks;
using Coordinator.Data.Formats;
using Coordinator.Data.Layout;
using Coordinator.Data.Storage;
using Coordinator.Model.Spec;
using Coordinator.Model.Tasks;
using Coordinator.Worker.Handlers;
using Microsoft.Extensions.Logging;

namespace Coordinator.Worker;

/// <summary>
/// The data path of one batch attempt, shared by `coordinator worker` (<see cref="TaskWorker"/>, with its claim and
/// heartbeats) and `coordinator run-local` (no claim, no task item, a file:// layout): the task item's input key is
/// checked against the layout, the batch is downloaded to a scratch directory and its sha256 verified (a mismatch is
/// never processed), the handler runs with its environment, mode and timeout, its output is validated and counted, and
/// the result is uploaded to the attempt's own key.
/// </summary>
public sealed partial class BatchAttempt(IObjectStore store, WorkerOptions options, ILogger logger) : IAsyncDisposable
{
    private readonly HandlerRunner _runner = new(options);
    private readonly StreamSessionPool _sessions = new(options);

    /// <summary>Handler processes started so far in stream mode (restarts included).</summary>
    public int StreamHandlerStarts => _sessions.Starts;

    /// <summary>Ends the stream-mode handlers (stdin closed; stopped after the grace period).</summary>
    public ValueTask DisposeAsync() => _sessions.DisposeAsync();

    /// <summary>
    /// One attempt of <paramref name="task"/>'s batch under <paramref name="layout"/>: download and verify, run the
    /// handler, validate and count, <paramref name="confirmClaim"/> (the worker's conditional heartbeat; run-local has
    /// no claim), upload. Never throws for a handler's or the data's fault: the result says what went wrong.
    /// </summary>
    public async Task<AttemptResult> RunAsync(Job job, JobTask task, JobLayout layout, Func<CancellationToken, Task<bool>> confirmClaim,
        BatchTiming timing, CancellationToken stop, CancellationToken ct)
    {
        var inputFormat = job.Spec.Input.Format;
        var outputFormat = ResultFormat.Of(job.Spec);
        var stdio = job.Spec.Handler.Mode == HandlerMode.Stdio;
        // The task item is not trusted: the batch read is the one the layout names, and an item naming another is refused.
        if (TaskKeys.InputMismatch(layout, task, inputFormat) is { } mismatch)
        {
            return AttemptResult.Failed(AttemptEndKind.LayoutMismatch, mismatch + "; nothing was read", "coordinator: " + mismatch);
        }
        var inputUri = layout.Batch(task.Index, inputFormat);
        try
        {
            using var scratch = ScratchDirectory.Create(options.ScratchRoot, $"{job.Name}-{task.Index}", options.MinFreeBytes);
            var inputPath = Path.Combine(scratch.Path, "input." + JobLayout.Extension(inputFormat));
            var outputPath = Path.Combine(scratch.Path, "output." + JobLayout.Extension(outputFormat));

            var (sha, bytes) = await DownloadAsync(inputUri, inputPath, ct).ConfigureAwait(false);
            timing.DownloadDone();
            if (!string.Equals(sha, task.InputSha256, StringComparison.OrdinalIgnoreCase))
            {
                return AttemptResult.Failed(AttemptEndKind.ChecksumMismatch,
                    $"batch {inputUri} has sha256 {sha}, expected {task.InputSha256}; it was not processed", "");
            }
            ScratchDirectory.EnsureFree(scratch.Path, bytes + options.MinFreeBytes, "after the download (room for the output)");

            // A stdio handler reads and writes JSON records whatever the formats (StdioRecords): CSV and Parquet batches
            // are converted for its stdin, and its stdout is written in the output format after it exits. File and
            // stream handlers get the batch in its native format.
            var handlerInput = inputPath;
            var handlerOutput = outputPath;
            if (stdio && inputFormat != InputFormat.Jsonl)
            {
                handlerInput = Path.Combine(scratch.Path, "stdin.jsonl");
                await StdioRecords.ToJsonlAsync(inputPath, job.Spec.Input, handlerInput, ct).ConfigureAwait(false);
            }
            if (stdio && outputFormat != InputFormat.Jsonl)
            {
                handlerOutput = Path.Combine(scratch.Path, "stdout.jsonl");
            }
            HandlerRun run;
            if (job.Spec.Handler.Mode == HandlerMode.Stream)
            {
                var session = _sessions.Rent(job);
                try
                {
                    run = await session.RunBatchAsync(new StreamRequest(task.Index, task.Attempt, task.InputRecords, bytes, RejectsFile.In(scratch.Path)),
                        inputPath, outputPath, stop, ct).ConfigureAwait(false);
                }
                finally
                {
                    _sessions.Return(job, session);
                }
            }
            else
            {
                var environment = HandlerEnvironment.Build(job.Spec.Handler, job.Name, task.Index, task.Attempt, scratch.Path,
                    inputPath, outputPath, HandlerEnvironment.Worker(), job.Spec.Slurm.CpusPerTask);
                run = await _runner.RunAsync(job.Spec.Handler, environment, job.Spec.Handler.WorkingDirectory ?? scratch.Path, handlerInput, handlerOutput,
                    stop, ct).ConfigureAwait(false);
            }
            timing.HandlerDone();
            switch (run.End)
            {
                case HandlerEnd.FailedToStart:
                    return AttemptResult.Failed(AttemptEndKind.BadHandler, $"handler \"{job.Spec.Handler.Command[0]}\" could not be started", run.StderrTail);
                case HandlerEnd.TimedOut:
                    return AttemptResult.Failed(AttemptEndKind.Timeout, $"handler ran past its timeout of {Coordinator.Model.Units.Duration.Format(job.Spec.Handler.Timeout)}", run.StderrTail);
                case HandlerEnd.Broken:
                    return AttemptResult.Failed(AttemptEndKind.BadHandler, run.Problem ?? "stream handler broke the framing", run.StderrTail);
                case HandlerEnd.Disrupted:
                    return AttemptResult.Failed(AttemptEndKind.Disrupted, "worker received SIGTERM (Slurm time limit or preemption)", run.StderrTail);
                default:
                    break;
            }
            if (run.ExitCode != 0)
            {
                return AttemptResult.Failed(AttemptEndKind.HandlerExit, $"handler exited with code {run.ExitCode}", run.StderrTail, run.ExitCode);
            }
            if (!File.Exists(handlerOutput))
            {
                return AttemptResult.Failed(AttemptEndKind.BadHandler, "handler exited 0 but wrote no output file (COORDINATOR_OUTPUT)", run.StderrTail, 0);
            }
            long records;
            try
            {
                records = handlerOutput == outputPath
                    ? await OutputRecordCounter.CountAsync(outputPath, outputFormat, ct).ConfigureAwait(false)
                    : await StdioRecords.FromJsonlAsync(handlerOutput, outputFormat, job.Spec.Input.Csv,
                        inputFormat == InputFormat.Parquet ? inputPath : null, outputPath, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OutputValidationException or RecordShapeException)
            {
                return AttemptResult.Failed(AttemptEndKind.BadHandler, e.Message, run.StderrTail + "\ncoordinator: " + e.Message, 0);
            }
            long rejected;
            try
            {
                rejected = await RejectsFile.CountAsync(RejectsFile.In(scratch.Path), ct).ConfigureAwait(false);
            }
            catch (OutputValidationException e)
            {
                return AttemptResult.Failed(AttemptEndKind.BadHandler, e.Message, run.StderrTail + "\ncoordinator: " + e.Message, 0);
            }
            timing.ValidateDone();
            // Zero output records is a success: a filter is a legitimate handler (issue 19).
            if (!await confirmClaim(ct).ConfigureAwait(false))
            {
                LogNotUploading(logger, job.Name, task.Index, task.Attempt);
                return AttemptResult.Failed(AttemptEndKind.Lost, "the claim was lost before the upload", run.StderrTail);
            }
            var resultUri = layout.Result(task.Index, task.Attempt, outputFormat);
            var (resultSha, resultETag) = await UploadAsync(outputPath, resultUri, ct).ConfigureAwait(false);
            Uri? rejectsUri = null;
            string? rejectsSha = null;
            if (rejected > 0)
            {
                rejectsUri = layout.Rejects(task.Index, task.Attempt);
                (rejectsSha, _) = await UploadAsync(RejectsFile.In(scratch.Path), rejectsUri, ct).ConfigureAwait(false);
            }
            timing.UploadDone();
            return new AttemptResult
            {
                RejectedRecords = rejected,
                RejectsKey = rejectsUri?.ToString(),
                RejectsSha256 = rejectsSha,
                Succeeded = true,
                ExitCode = 0,
                OutputRecords = records,
                ResultKey = resultUri.ToString(),
                ResultSha256 = resultSha,
                ResultETag = resultETag,
                StderrTail = run.StderrTail,
                Message = "ok",
            };
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogAttemptError(logger, e, job.Name, task.Index);
            return AttemptResult.Failed(AttemptEndKind.Lost, $"worker error: {e.Message}", $"coordinator: {e.GetType().Name}: {e.Message}");
        }
    }

    private async Task<(string Sha, long Bytes)> DownloadAsync(Uri uri, string path, CancellationToken ct)
    {
        var source = await store.OpenReadAsync(uri, ct).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await using (file.ConfigureAwait(false))
            {
                return await HashingCopy.CopyAsync(source, file, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task<(string Sha, string? ETag)> UploadAsync(string path, Uri uri, CancellationToken ct)
    {
        var writer = await store.OpenWriteAsync(uri, ct).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            string sha;
            await using (file.ConfigureAwait(false))
            {
                (sha, _) = await HashingCopy.CopyAsync(file, writer.Stream, ct).ConfigureAwait(false);
            }
            await writer.CommitAsync(ct).ConfigureAwait(false);
            return (sha, writer.ETag);
        }
    }

    [LoggerMessage(EventId = 6107, Level = LogLevel.Warning,
        Message = "Claim on {JobName}/{BatchIndex} attempt {Attempt} is gone before the upload (this worker was likely paused past the staleness limit and the batch given to another attempt): not uploading, not recording")]
    private static partial void LogNotUploading(ILogger logger, string jobName, int batchIndex, int attempt);

    [LoggerMessage(EventId = 6106, Level = LogLevel.Error, Message = "Attempt of {JobName}/{BatchIndex} failed inside the worker")]
    private static partial void LogAttemptError(ILogger logger, Exception exception, string jobName, int batchIndex);
}
