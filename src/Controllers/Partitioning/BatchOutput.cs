using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Manifests;
using Coordinator.Model.Spec;

namespace Coordinator.Controllers.Partitioning;

/// <summary>
/// Where batches go: deterministic keys from <see cref="JobLayout"/>, each written once. Resuming after a crash, the
/// batches already stored are not written again; their records are re-read only to re-derive the manifest entry
/// (range and sha256), which the deterministic cut makes identical. An existing object whose size disagrees with the
/// re-derived batch cannot be the same batch: it is deleted and the pass fails transiently, so the next pass writes it.
/// </summary>
public sealed class BatchOutput
{
    private readonly IObjectStore _store;
    private readonly JobLayout _layout;
    private readonly InputFormat _format;
    private readonly IReadOnlyDictionary<string, long> _existing;

    private BatchOutput(IObjectStore store, JobLayout layout, InputFormat format, IReadOnlyDictionary<string, long> existing)
    {
        _store = store;
        _layout = layout;
        _format = format;
        _existing = existing;
    }

    public List<Batch> Batches { get; } = [];
    /// <summary>Batches found already stored (a resumed run) and therefore not written again.</summary>
    public int Reused { get; private set; }
    public int Written { get; private set; }

    /// <summary>List what an earlier, interrupted pass already stored for this job generation.</summary>
    public static async Task<BatchOutput> OpenAsync(IObjectStore store, JobLayout layout, InputFormat format, CancellationToken ct)
    {
        var existing = new Dictionary<string, long>(StringComparer.Ordinal);
        var prefix = new Uri(layout.Prefix, "batches/");
        await foreach (var obj in store.ListAsync(prefix, ct).ConfigureAwait(false))
            existing[obj.Uri.ToString()] = obj.Size;
        return new BatchOutput(store, layout, format, existing);
    }

    public async Task<BatchWriter> StartAsync(long firstRecord, CancellationToken ct)
    {
        var index = Batches.Count;
        var key = _layout.Batch(index, _format);
        if (_existing.TryGetValue(key.ToString(), out var size))
            return new BatchWriter(index, key, firstRecord, null, size);
        var writer = await _store.OpenWriteAsync(key, ct).ConfigureAwait(false);
        return new BatchWriter(index, key, firstRecord, writer, null);
    }

    public async Task<Batch> CompleteAsync(BatchWriter writer, CancellationToken ct)
    {
        var batch = await writer.CompleteAsync(ct).ConfigureAwait(false);
        if (writer.IsReused)
        {
            if (writer.ExistingSize != batch.Bytes)
            {
                await _store.DeleteAsync(writer.Key, ct).ConfigureAwait(false);
                throw new InvalidOperationException(
                    $"stored batch {writer.Key} has {writer.ExistingSize} bytes but re-reading the input gives {batch.Bytes}; deleted it so the next pass rewrites it");
            }
            Reused++;
        }
        else
        {
            Written++;
        }
        Batches.Add(batch);
        return batch;
    }
}
