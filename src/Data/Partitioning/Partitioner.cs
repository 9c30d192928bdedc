using Coordinator.Data.Formats;
using Coordinator.Data.Layout;
using Coordinator.Data.Storage;
using Coordinator.Model.Manifests;
using Coordinator.Model.Spec;

namespace Coordinator.Data.Partitioning;

/// <summary>
/// Partition one job generation: stream the input into batches under deterministic keys, then write the JobManifest
/// as the commit point. Idempotent and resumable: a committed manifest is returned as is; an interrupted pass is
/// resumed by re-reading the input, skipping the batches already stored (see <see cref="BatchOutput"/>), so no batch is
/// duplicated and none is missing. Memory is bounded by the read buffer and one record (or one Parquet row group).
/// With a <see cref="PartitionProgressHook"/>, the pass reports once when the input is listed and after every batch.
/// </summary>
public sealed class Partitioner(IObjectStore store, PartitionProgressHook? progress = null)
{
    public async Task<PartitionResult> RunAsync(Job job, JobLayout layout, CancellationToken ct, DateTimeOffset? now = null)
    {
        if (await ReadManifestAsync(store, layout, ct).ConfigureAwait(false) is { } committed)
            return new PartitionResult(committed, new PartitionStats(), AlreadyCommitted: true);

        var spec = job.Spec;
        var limits = new BatchLimits(spec.Batching.MaxRecords, spec.Batching.MaxBytes);
        if (!Uri.TryCreate(spec.Input.Uri, UriKind.Absolute, out var inputUri))
            throw new InputFormatException(InputErrorReasons.InputNotFound, spec.Input.Uri, "", "spec.input.uri is not an absolute URI");
        var inputs = await InputResolver.ResolveAsync(store, inputUri, ct).ConfigureAwait(false);
        var output = await BatchOutput.OpenAsync(store, layout, spec.Input.Format, ct).ConfigureAwait(false);
        await using var drain = output.ConfigureAwait(false);
        var stats = new PartitionStats();
        var readStore = store;
        if (progress is not null)
        {
            output.Progress = progress;
            readStore = new CountingReadStore(store, progress);
            await progress.StartAsync(inputs.Sum(o => o.Size), inputs.Count, ct).ConfigureAwait(false);
        }
        try
        {
            await For(spec.Input).PartitionAsync(readStore, inputs, limits, output, stats, ct).ConfigureAwait(false);
            await output.DrainAsync().ConfigureAwait(false);
        }
        catch (ObjectStoreException e) when (e.IsPermanent)
        {
            var reason = e.Kind == ObjectStoreErrorKind.AccessDenied ? InputErrorReasons.AccessDenied : InputErrorReasons.InputNotFound;
            throw new InputFormatException(reason, e.Uri.ToString(), "", e.Message, e);
        }
        if (stats.Records == 0)
            throw new InputFormatException(InputErrorReasons.EmptyInput, inputUri.ToString(), "",
                $"no records in {inputs.Count} object(s){(stats.BlankLinesSkipped > 0 ? $" ({stats.BlankLinesSkipped} blank lines)" : "")}");
        stats.BatchesWritten = output.Written;
        stats.BatchesReused = output.Reused;

        var manifest = new JobManifest
        {
            Job = job.Name,
            Generation = layout.Generation,
            SpecHash = job.SpecHash,
            Format = spec.Input.Format,
            Batches = output.Batches,
            TotalRecords = stats.Records,
            TotalBytes = output.Batches.Sum(b => b.Bytes),
            CreatedAt = now ?? DateTimeOffset.UtcNow,
        };
        var bytes = JobManifestCodec.Encode(manifest);
        await using (var writer = await store.OpenWriteAsync(layout.Manifest, ct).ConfigureAwait(false))
        {
            await writer.Stream.WriteAsync(bytes, ct).ConfigureAwait(false);
            await writer.CommitAsync(ct).ConfigureAwait(false);
        }
        return new PartitionResult(manifest, stats, AlreadyCommitted: false);
    }

    /// <summary>The committed manifest of this generation, or null when partitioning has not committed yet.</summary>
    public static async Task<JobManifest?> ReadManifestAsync(IObjectStore store, JobLayout layout, CancellationToken ct)
    {
        if (await store.HeadAsync(layout.Manifest, ct).ConfigureAwait(false) is null)
            return null;
        await using var stream = await store.OpenReadAsync(layout.Manifest, ct).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct).ConfigureAwait(false);
        return JobManifestCodec.Decode(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), layout.Manifest.ToString());
    }

    private static IFormatPartitioner For(InputSpec input) => input.Format switch
    {
        // spec.input.validate: each line checked as one JSON value, or passed through raw after the UTF-8 check.
        InputFormat.Jsonl => new JsonlPartitioner(input.Validate),
        InputFormat.Csv => new CsvPartitioner(input.Csv),
        InputFormat.Parquet => new ParquetPartitioner(),
        _ => throw new ArgumentOutOfRangeException(nameof(input), input.Format, "unknown input format"),
    };
}
