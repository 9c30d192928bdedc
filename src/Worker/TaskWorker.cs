using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Retry;
using Coordinator.Controllers.Tasks;
using Coordinator.Data.Layout;
using Coordinator.Data.Storage;
using Coordinator.Model.Spec;
using Coordinator.Model.Tasks;
using Coordinator.Worker.Handlers;
using Microsoft.Extensions.Logging;

namespace Coordinator.Worker;

/// <summary>
/// Runs one batch end to end, as `coordinator worker` does in each Slurm array task (or repeatedly in pilot mode):
/// claim the task conditionally, make a scratch directory, download the batch and verify its sha256 (a mismatch is
/// never processed), run the handler, validate and count its output, prove the claim is still this attempt's (a
/// conditional heartbeat), upload the result to this attempt's own key, and record the outcome — key, sha256 and the
/// committed object's ETag — conditionally under the retry policy. Heartbeats run throughout. A worker whose claim is
/// gone (it was paused past the staleness limit and its batch given to another attempt) uploads and records nothing.
/// </summary>
public sealed partial class TaskWorker(
    IStateStore state, IObjectStore store, CoordinatorOptions coordinator, WorkerOptions options, TimeProvider clock,
    ILogger<TaskWorker> logger)
{
    private readonly HandlerRunner _runner = new(options);

    /// <summary>Where the time of every batch this worker recorded went (see <see cref="BatchTiming"/>).</summary>
    public WorkerStats Stats { get; } = new();

    /// <summary>Claims and runs batch <paramref name="index"/> of <paramref name="job"/> if it is claimable.</summary>
    public async Task<TaskRunOutcome> RunAsync(Job job, int index, WorkerIdentity identity, CancellationToken disruption, CancellationToken ct)
    {
        var task = await state.GetTaskAsync(job.Name, index, ct).ConfigureAwait(false);
        if (task is null || !TaskTransitions.CanClaim(task))
        {
            LogNotClaimable(logger, job.Name, index, task?.State);
            return TaskRunOutcome.NotClaimed;
        }
        return await RunClaimableAsync(job, task, identity, disruption, ct).ConfigureAwait(false);
    }

    /// <summary>Claims an already-read task (pilot mode reads pages of them) and runs it.</summary>
    public async Task<TaskRunOutcome> RunClaimableAsync(Job job, JobTask task, WorkerIdentity identity, CancellationToken disruption, CancellationToken ct)
    {
        TaskTransitions.Claim(task, identity.Host, identity.SlurmJobId, identity.ArrayTaskId, clock.GetUtcNow());
        try
        {
            task.Version = await state.UpdateTaskAsync(task, ct).ConfigureAwait(false);
        }
        catch (ConflictException)
        {
            LogClaimLost(logger, job.Name, task.Index);
            return TaskRunOutcome.NotClaimed;
        }
        return await RunClaimedAsync(job, task, identity, disruption, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a task this worker has already claimed (its Running write succeeded; pilots claim many in one round trip)
    /// and records the outcome conditionally.
    /// </summary>
    public async Task<TaskRunOutcome> RunClaimedAsync(Job job, JobTask task, WorkerIdentity identity, CancellationToken disruption, CancellationToken ct)
    {
        LogClaimed(logger, job.Name, task.Index, task.Attempt, identity.SlurmJobId ?? "");
        var timing = new BatchTiming();
        var heartbeat = new HeartbeatWriter(state, task, clock, logger);
        await using (heartbeat.ConfigureAwait(false))
        {
            heartbeat.Start(coordinator.Heartbeat.Interval);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(disruption, heartbeat.Revoked);
            var result = await AttemptAsync(job, task, heartbeat, timing, stop.Token, ct).ConfigureAwait(false);
            if (heartbeat.ClaimLost)
            {
                LogSuperseded(logger, job.Name, task.Index, task.Attempt);
                return TaskRunOutcome.Superseded;
            }
            var recorded = await heartbeat.WriteAsync(t => TaskTransitions.RecordEnd(t, result, job.Spec.Retry, clock.GetUtcNow()), CancellationToken.None)
                .ConfigureAwait(false);
            if (!recorded)
            {
                LogSuperseded(logger, job.Name, task.Index, task.Attempt);
                return TaskRunOutcome.Superseded;
            }
            timing.RecordDone();
            Stats.Add(timing);
            LogRecorded(logger, job.Name, task.Index, task.Attempt, task.State, task.Reason,
                timing.Total.TotalMilliseconds, timing.Handler.TotalMilliseconds);
            return TaskRunOutcome.Recorded;
        }
    }

    private async Task<AttemptResult> AttemptAsync(Job job, JobTask task, HeartbeatWriter heartbeat, BatchTiming timing, CancellationToken stop, CancellationToken ct)
    {
        var layout = new JobLayout(coordinator.DataRootUri, job.Name, task.Generation);
        var inputFormat = job.Spec.Input.Format;
        var outputFormat = job.Spec.Output.Format ?? inputFormat;
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

            var environment = HandlerEnvironment.Build(job.Spec.Handler, job.Name, task.Index, task.Attempt, scratch.Path,
                inputPath, outputPath, Environment.GetEnvironmentVariable);
            var run = await _runner.RunAsync(job.Spec.Handler, environment, scratch.Path, inputPath, outputPath, stop, ct).ConfigureAwait(false);
            timing.HandlerDone();
            switch (run.End)
            {
                case HandlerEnd.FailedToStart:
                    return AttemptResult.Failed(AttemptEndKind.BadHandler, $"handler \"{job.Spec.Handler.Command[0]}\" could not be started", run.StderrTail);
                case HandlerEnd.TimedOut:
                    return AttemptResult.Failed(AttemptEndKind.Timeout, $"handler ran past its timeout of {Coordinator.Model.Units.Duration.Format(job.Spec.Handler.Timeout)}", run.StderrTail);
                case HandlerEnd.Disrupted:
                    return AttemptResult.Failed(AttemptEndKind.Disrupted, "worker received SIGTERM (Slurm time limit or preemption)", run.StderrTail);
                default:
                    break;
            }
            if (run.ExitCode != 0)
            {
                return AttemptResult.Failed(AttemptEndKind.HandlerExit, $"handler exited with code {run.ExitCode}", run.StderrTail, run.ExitCode);
            }
            if (!File.Exists(outputPath))
            {
                return AttemptResult.Failed(AttemptEndKind.BadHandler, "handler exited 0 but wrote no output file (COORDINATOR_OUTPUT)", run.StderrTail, 0);
            }
            long records;
            try
            {
                records = await OutputRecordCounter.CountAsync(outputPath, outputFormat, ct).ConfigureAwait(false);
            }
            catch (OutputValidationException e)
            {
                return AttemptResult.Failed(AttemptEndKind.BadHandler, e.Message, run.StderrTail + "\ncoordinator: " + e.Message, 0);
            }
            timing.ValidateDone();
            if (records == 0 && task.InputRecords > 0)
            {
                return AttemptResult.Failed(AttemptEndKind.BadHandler,
                    $"handler exited 0 but wrote no output records for {task.InputRecords} input records", run.StderrTail, 0);
            }
            if (!await heartbeat.ConfirmAsync(ct).ConfigureAwait(false))
            {
                LogNotUploading(logger, job.Name, task.Index, task.Attempt);
                return AttemptResult.Failed(AttemptEndKind.Lost, "the claim was lost before the upload", run.StderrTail);
            }
            var resultUri = layout.Result(task.Index, task.Attempt, outputFormat);
            var (resultSha, resultETag) = await UploadAsync(outputPath, resultUri, ct).ConfigureAwait(false);
            timing.UploadDone();
            return new AttemptResult
            {
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

    [LoggerMessage(EventId = 6101, Level = LogLevel.Debug, Message = "Task {JobName}/{BatchIndex} is not claimable (state {State})")]
    private static partial void LogNotClaimable(ILogger logger, string jobName, int batchIndex, TaskState? state);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Debug, Message = "Another worker claimed {JobName}/{BatchIndex} first")]
    private static partial void LogClaimLost(ILogger logger, string jobName, int batchIndex);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Debug, Message = "Claimed {JobName}/{BatchIndex} attempt {Attempt} (Slurm job {SlurmJobId})")]
    private static partial void LogClaimed(ILogger logger, string jobName, int batchIndex, int attempt, string slurmJobId);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Warning,
        Message = "Task {JobName}/{BatchIndex} attempt {Attempt} was moved by someone else while running; its claim is lost, outcome not recorded")]
    private static partial void LogSuperseded(ILogger logger, string jobName, int batchIndex, int attempt);

    [LoggerMessage(EventId = 6107, Level = LogLevel.Warning,
        Message = "Claim on {JobName}/{BatchIndex} attempt {Attempt} is gone before the upload (this worker was likely paused past the staleness limit and the batch given to another attempt): not uploading, not recording")]
    private static partial void LogNotUploading(ILogger logger, string jobName, int batchIndex, int attempt);

    [LoggerMessage(EventId = 6105, Level = LogLevel.Information,
        Message = "Recorded {JobName}/{BatchIndex} attempt {Attempt}: {State} ({Reason}) in {TotalMs:F1} ms, handler {HandlerMs:F1} ms")]
    private static partial void LogRecorded(ILogger logger, string jobName, int batchIndex, int attempt, TaskState state, string? reason,
        double totalMs, double handlerMs);

    [LoggerMessage(EventId = 6106, Level = LogLevel.Error, Message = "Attempt of {JobName}/{BatchIndex} failed inside the worker")]
    private static partial void LogAttemptError(ILogger logger, Exception exception, string jobName, int batchIndex);
}
