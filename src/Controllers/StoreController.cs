using Coordinator.Controllers.Cleanup;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
using Coordinator.Data.Partitioning;
using Coordinator.Data.Storage;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;
using Microsoft.Extensions.Logging;

namespace Coordinator.Controllers;

/// <summary>
/// Step 2: one write-friendly task item per batch of the committed manifest (state Pending, input key, sha256 and
/// record count), through IStateStore.PutTasksAsync (BatchWriteItem, idempotent). Guarded by the Stored condition;
/// Stored=True is set only after every item is written, so a crash mid-way simply writes them again next pass. From the
/// second generation on, the task items an older generation left beyond the new manifest and the older generations'
/// objects are deleted before Stored=True.
/// </summary>
public sealed class StoreController(IObjectStore store, IStateStore state, CoordinatorOptions options, ILogger<StoreController> logger,
    JobCleanup? cleanup = null) : IJobController
{
    private readonly JobCleanup _cleanup = cleanup ?? new JobCleanup(state, store, options);

    public string Name => "store";
    public int Order => 200;

    public async Task<ControllerResult> ReconcileAsync(JobContext context, CancellationToken ct)
    {
        var job = context.Job;
        var status = job.Status;
        if (StatusEditor.IsTrue(status, ConditionTypes.Stored, job.Generation))
            return ControllerResult.Continue;
        if (!StatusEditor.IsTrue(status, ConditionTypes.Partitioned, job.Generation) || StatusEditor.IsFalse(status, ConditionTypes.Stored, job.Generation))
            return ControllerResult.Stop;

        var layout = context.Layout ?? options.LayoutFor(job);
        Model.Manifests.JobManifest? manifest;
        try
        {
            manifest = await Partitioner.ReadManifestAsync(store, layout, ct).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            PartitionLog.ManifestUnusable(logger, job.Name, job.Generation, e.Message);
            StatusEditor.SetCondition(context, ConditionTypes.Stored, false, "CorruptManifest", e.Message);
            StatusEditor.SetPhase(context, JobPhase.Failed);
            status.Message = e.Message;
            return ControllerResult.Stop;
        }
        if (manifest is null)
            throw new InvalidOperationException($"job {job.Name} is Partitioned but {layout.Manifest} is missing; retrying");

        var tasks = manifest.Batches.Select(b => new JobTask
        {
            Job = job.Name,
            Generation = job.Generation,
            Index = b.Index,
            State = TaskState.Pending,
            InputKey = b.Key,
            InputSha256 = b.Sha256,
            InputRecords = b.RecordCount,
        }).ToList();
        await state.PutTasksAsync(tasks, ct).ConfigureAwait(false);
        PartitionLog.Stored(logger, job.Name, job.Generation, tasks.Count);
        if (job.Generation > 1)
        {
            // The new manifest is committed and its items replaced the old generation's at its indexes: what an older
            // generation with more batches left beyond them, and every older generation's objects, go now, before
            // Stored=True (a crash in between does this again). Reads are generation-scoped anyway; this leaves nothing
            // that could leak into this generation's output, counts or dispatch.
            var items = await state.DeleteStaleTasksAsync(job.Name, tasks.Count, job.Generation, ct).ConfigureAwait(false);
            var objects = await _cleanup.DeleteOlderGenerationsAsync(job, ct).ConfigureAwait(false);
            PartitionLog.OlderGenerationsRemoved(logger, job.Name, job.Generation, items, objects);
        }

        status.Batches.Total = tasks.Count;
        status.Batches.Pending = tasks.Count;
        status.Records.Input = manifest.TotalRecords;
        StatusEditor.SetCondition(context, ConditionTypes.Stored, true, "Stored", $"{tasks.Count} task items written");
        return ControllerResult.Continue;
    }
}
