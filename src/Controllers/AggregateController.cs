using System.Text.Json;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Tasks;
using Coordinator.Data.Aggregation;
using Coordinator.Data.Layout;
using Coordinator.Data.Storage;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;
using Microsoft.Extensions.Logging;

namespace Coordinator.Controllers;

/// <summary>
/// Order 500: once every batch has ended (succeeded, or failed within the failure policy), combines the results in
/// batch order into spec.output — JSONL and CSV by streaming concatenation, Parquet by copying row groups — verifying
/// every result's sha256 on the way and reading (and server-side copying) only the version of each result object its
/// worker recorded (its ETag; a result overwritten since fails the job as ResultChanged, naming batch and attempt), writes the final manifest, and ends the job Succeeded. A result whose checksum
/// does not match fails the job naming the batch, and no output is committed. Re-running is harmless: the output and
/// manifest keys are deterministic and each is committed atomically. An activeDeadline that passes while it aggregates
/// stops it and fails the job (<see cref="ActiveDeadline"/>).
/// </summary>
public sealed partial class AggregateController(IStateStore state, IObjectStore store, TaskTallySource tallies, ILogger<AggregateController> logger,
    CoordinatorMetrics metrics, CoordinatorOptions options) : IJobController
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string Name => "aggregate";
    public int Order => 500;

    public async Task<ControllerResult> ReconcileAsync(JobContext context, CancellationToken ct)
    {
        var job = context.Job;
        if (job.Status.Phase != JobPhase.Aggregating)
        {
            return ControllerResult.Continue;
        }
        var tasks = await ReadTasksAsync(job.Name, job.Generation, ct).ConfigureAwait(false);
        var target = OutputTarget.For(job.Spec);
        // Task items are not trusted: every key must be the one the job's layout gives, or nothing is aggregated.
        var layout = options.LayoutFor(job);
        if (tasks.Select(t => TaskKeys.InputMismatch(layout, t, job.Spec.Input.Format)
                ?? (t.State == TaskState.Succeeded ? TaskKeys.ResultMismatch(layout, t, target.Format) ?? TaskKeys.RejectsMismatch(layout, t) : null))
            .FirstOrDefault(m => m is not null) is { } mismatch)
        {
            return Fail(context, "TaskKeyMismatch", mismatch + "; nothing was aggregated");
        }
        var sources = tasks.Where(t => t.State == TaskState.Succeeded)
            .Select(t => new ResultSource(t.Index, new Uri(t.ResultKey!), t.ResultSha256 ?? "", t.ResultETag, t.Attempt))
            .ToList();
        var manifest = Manifest(job, tasks, target);
        using var deadline = ActiveDeadline.Watch(context, ct);
        try
        {
            if (job.Spec.Output.Aggregate == AggregateMode.Concat)
            {
                (manifest.OutputSha256, manifest.OutputBytes) = await WriteOutputAsync(target, sources, deadline.Token).ConfigureAwait(false);
                manifest.Output = target.Output.ToString();
            }
            else
            {
                manifest.Output = sources.Count > 0 ? sources[0].Uri.ToString()[..(sources[0].Uri.ToString().LastIndexOf('/') + 1)] : "";
                manifest.Note += "aggregate: none — results stay per batch. ";
            }
            var rejects = tasks.Where(t => t.State == TaskState.Succeeded && t.RejectsKey is not null)
                .Select(t => new ResultSource(t.Index, new Uri(t.RejectsKey!), t.RejectsSha256 ?? "", null, t.Attempt))
                .ToList();
            if (rejects.Count > 0)
            {
                var writer = await store.OpenWriteAsync(target.FailedRecords, deadline.Token).ConfigureAwait(false);
                await using (writer.ConfigureAwait(false))
                {
                    (manifest.FailedRecordsSha256, _) = await TextConcatenator.ConcatAsync(store, rejects, writer.Stream, csvHeaders: false, deadline.Token).ConfigureAwait(false);
                    await writer.CommitAsync(deadline.Token).ConfigureAwait(false);
                }
                manifest.FailedRecordsFile = target.FailedRecords.ToString();
            }
            await WriteJsonAsync(target.Manifest, manifest, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.Passed)
        {
            // activeDeadline passed mid-aggregation (issue 15, path 6): an output not committed is not there.
            return ActiveDeadline.Fail(context, "aggregating");
        }
        catch (ResultChecksumException e)
        {
            return Fail(context, "ResultChecksumMismatch", e.Message);
        }
        catch (ObjectStoreException e) when (e.Kind == ObjectStoreErrorKind.PreconditionFailed)
        {
            // The recorded result object was overwritten after its outcome write (only a superseded writer can: each
            // attempt has its own key). Its bytes were not used; nothing was committed.
            var source = sources.FirstOrDefault(s => s.Uri == e.Uri);
            return Fail(context, "ResultChanged",
                $"result of {source?.Name ?? "a batch"} ({e.Uri}) is not the object its worker recorded: {e.Message}; its bytes were not used");
        }
        catch (ObjectStoreException e) when (e.IsPermanent)
        {
            // A missing output bucket or a denied write cannot heal by retrying: without this the reconcile would
            // throw and back off forever while the job sat in Running with no word of why.
            var writing = e.Uri == target.Output || e.Uri == target.Manifest || e.Uri == target.FailedRecords;
            return Fail(context, writing ? "OutputNotWritable" : "ResultUnreadable",
                writing ? $"cannot write the job's output: {e.Message}" : $"cannot read a batch result: {e.Message}");
        }

        job.Status.Output = new OutputStatus { Uri = manifest.Output, Manifest = target.Manifest.ToString(), Sha256 = manifest.OutputSha256 };
        var tally = TaskTally.From(tasks, new InFlight(), watch: null, options.Heartbeat.StaleAfter, arrayMode: false);
        StatusController.Publish(job.Status, tally);
        metrics.TasksObserved(job.Name, StatusController.CountsByState(tally));
        metrics.RecordsProcessed("output", tally.OutputRecords);
        metrics.RecordsProcessed("failed", tally.FailedRecords);
        var failed = tasks.Count(t => t.State == TaskState.Failed);
        job.Status.Message = $"{sources.Count} of {tasks.Count} batches succeeded" + (failed > 0 ? $", {failed} failed within the failure policy" : "")
            + $"; {manifest.OutputRecords} output records"
            + (manifest.RejectedRecords > 0 ? $", {manifest.RejectedRecords} rejected (in {manifest.FailedRecordsFile})" : "") + $". {manifest.Note}".TrimEnd();
        StatusEditor.SetPhase(job.Status, JobPhase.Succeeded);
        StatusEditor.SetCondition(job.Status, ConditionTypes.Complete, StatusEditor.True, "Aggregated", job.Status.Message, job.Generation, context.Now);
        job.Status.CompletedAt = context.Now;
        tallies.Invalidate(job.Name);
        LogSucceeded(logger, job.Name, manifest.Output, manifest.OutputRecords);
        return job.Spec.TtlAfterFinished is { } ttl ? ControllerResult.StopAndRequeueAfter(ttl) : ControllerResult.Stop;
    }

    private ControllerResult Fail(JobContext context, string reason, string message)
    {
        StatusEditor.Fail(context, reason, message);
        LogFailed(logger, context.Job.Name, message);
        return ControllerResult.Stop;
    }

    private async Task<(string Sha, long Bytes)> WriteOutputAsync(OutputTarget target, IReadOnlyList<ResultSource> sources, CancellationToken ct)
    {
        if (target.Format != InputFormat.Parquet
            && await ComposeAsync(target, sources, ct).ConfigureAwait(false) is { } composed)
        {
            return composed;
        }
        var writer = await store.OpenWriteAsync(target.Output, ct).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            (string, long) written;
            if (target.Format == InputFormat.Parquet)
            {
                var work = Directory.CreateTempSubdirectory("coordinator-merge-");
                try
                {
                    written = await ParquetMerger.MergeAsync(store, sources, writer.Stream, work.FullName, ct).ConfigureAwait(false);
                }
                finally
                {
                    work.Delete(recursive: true);
                }
            }
            else
            {
                written = await TextConcatenator.ConcatAsync(store, sources, writer.Stream, target.Format == InputFormat.Csv, ct).ConfigureAwait(false);
            }
            await writer.CommitAsync(ct).ConfigureAwait(false);
            return written;
        }
    }

    /// <summary>
    /// JSONL/CSV onto an object store that copies server-side (S3): when a result is at least a part large, the output is
    /// composed of streamed parts and UploadPartCopy parts instead of sending every byte back up (CompositionSink).
    /// Results are still read once, in order, for their checksums and the output's; the bytes are the same as
    /// streaming's. Null when the store cannot copy or no result is large enough: the caller streams.
    /// </summary>
    private async Task<(string Sha, long Bytes)?> ComposeAsync(OutputTarget target, IReadOnlyList<ResultSource> sources, CancellationToken ct)
    {
        var composition = await store.OpenCompositionAsync(target.Output, ct).ConfigureAwait(false);
        if (composition is null)
        {
            return null;
        }
        await using (composition.ConfigureAwait(false))
        {
            var sizes = await ResultSizesAsync(sources, target.Output.Scheme, ct).ConfigureAwait(false);
            if (!sizes.Values.Any(size => size >= composition.MinPartSize))
            {
                return null;
            }
            var sink = new CompositionSink(composition, sources, sizes);
            var written = await TextConcatenator.ConcatAsync(store, sources, sink, target.Format == InputFormat.Csv, ct).ConfigureAwait(false);
            await composition.CommitAsync(ct).ConfigureAwait(false);
            LogComposed(logger, target.Output, sink.Copies, sink.CopiedBytes, written.Bytes);
            return written;
        }
    }

    /// <summary>The listed size of every result on <paramref name="scheme"/> (one listing per results prefix, not a HEAD per result).</summary>
    private async Task<Dictionary<Uri, long>> ResultSizesAsync(IReadOnlyList<ResultSource> sources, string scheme, CancellationToken ct)
    {
        var wanted = sources.Where(s => s.Uri.Scheme == scheme).Select(s => s.Uri).ToHashSet();
        var sizes = new Dictionary<Uri, long>();
        foreach (var prefix in wanted.Select(u => new Uri(u.ToString()[..(u.ToString().LastIndexOf('/') + 1)])).Distinct())
        {
            await foreach (var info in store.ListAsync(prefix, ct).ConfigureAwait(false))
            {
                if (wanted.Contains(info.Uri))
                {
                    sizes[info.Uri] = info.Size;
                }
            }
        }
        return sizes;
    }

    private static FinalManifest Manifest(Job job, IReadOnlyList<JobTask> tasks, OutputTarget target)
    {
        var manifest = new FinalManifest
        {
            Job = job.Name,
            Generation = job.Generation,
            Format = target.Format.ToString().ToLowerInvariant(),
            CreatedAt = DateTimeOffset.UtcNow,
            Batches = [.. tasks.OrderBy(t => t.Index).Select(t => new FinalManifestBatch
            {
                Index = t.Index,
                State = t.State.ToString().ToUpperInvariant(),
                InputKey = t.InputKey,
                InputSha256 = t.InputSha256,
                InputRecords = t.InputRecords,
                ResultKey = t.State == TaskState.Succeeded ? t.ResultKey : null,
                ResultSha256 = t.State == TaskState.Succeeded ? t.ResultSha256 : null,
                ResultETag = t.State == TaskState.Succeeded ? t.ResultETag : null,
                OutputRecords = t.State == TaskState.Succeeded ? t.OutputRecords : null,
                RejectedRecords = t.State == TaskState.Succeeded ? t.RejectedRecords : null,
                RejectsKey = t.State == TaskState.Succeeded ? t.RejectsKey : null,
                Attempts = t.Attempt,
                Reason = t.Reason,
            })],
        };
        manifest.InputRecords = tasks.Sum(t => t.InputRecords);
        manifest.OutputRecords = tasks.Where(t => t.State == TaskState.Succeeded).Sum(t => t.OutputRecords ?? 0);
        manifest.FailedRecords = tasks.Where(t => t.State is TaskState.Failed or TaskState.Ignored).Sum(t => t.InputRecords);
        manifest.RejectedRecords = tasks.Where(t => t.State == TaskState.Succeeded).Sum(t => t.RejectedRecords ?? 0);
        manifest.RecordsConserved = manifest.InputRecords == manifest.OutputRecords + manifest.FailedRecords + manifest.RejectedRecords;
        if (!manifest.RecordsConserved)
        {
            manifest.Note = $"The handler changed record counts: {manifest.InputRecords} input = {manifest.OutputRecords} output + {manifest.FailedRecords} failed"
                + (manifest.RejectedRecords > 0 ? $" + {manifest.RejectedRecords} rejected" : "") + " does not hold. ";
        }
        return manifest;
    }

    private async Task<List<JobTask>> ReadTasksAsync(string job, long generation, CancellationToken ct) =>
        [.. (await TaskReader.ReadAllAsync(state, job, generation, ct).ConfigureAwait(false)).OrderBy(t => t.Index)];

    private async Task WriteJsonAsync(Uri uri, FinalManifest manifest, CancellationToken ct)
    {
        var writer = await store.OpenWriteAsync(uri, ct).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            await JsonSerializer.SerializeAsync(writer.Stream, manifest, Json, ct).ConfigureAwait(false);
            await writer.CommitAsync(ct).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 6501, Level = LogLevel.Information, Message = "{JobName} succeeded: output {Output}, {Records} records")]
    private static partial void LogSucceeded(ILogger logger, string jobName, string output, long records);

    [LoggerMessage(EventId = 6503, Level = LogLevel.Information,
        Message = "Output {Output} composed: {Copies} server-side copies of {CopiedBytes} bytes, {OutputBytes} bytes in all")]
    private static partial void LogComposed(ILogger logger, Uri output, int copies, long copiedBytes, long outputBytes);

    [LoggerMessage(EventId = 6502, Level = LogLevel.Error, Message = "{JobName} failed in aggregation: {Message}")]
    private static partial void LogFailed(ILogger logger, string jobName, string message);
}
