using Coordinator.Data.Layout;
using Coordinator.Data.Storage;
using Coordinator.Model.Manifests;
using Coordinator.Model.Spec;

namespace Coordinator.Data.Partitioning;

/// <summary>
/// Where batches go: deterministic keys from <see cref="JobLayout"/>, each written once. Resuming after a crash, the
/// batches already stored are not written again; their records are re-read only to re-derive the manifest entry
/// (range and sha256), which the deterministic cut makes identical. An existing object whose size disagrees with the
/// re-derived batch cannot be the same batch: it is deleted and the pass fails transiently, so the next pass writes it.
/// <para>
/// Small batches are committed in the background, up to <see cref="MaxCommitsInFlight"/> at once: against S3 (and
/// moto) the cost of a tiny batch is the PutObject round trip, not its bytes, so one-at-a-time uploads capped a store
/// at ~25 batches/s. The batch's manifest entry (range, bytes, sha256) is final before its commit starts, so order and
/// boundaries stay deterministic; <see cref="DrainAsync"/> waits for every commit before the manifest (the commit
/// point) is written. A kill mid-way leaves only whole objects (each commit is atomic), which a resumed pass reuses.
/// Batches over <see cref="BackgroundCommitMaxBytes"/> commit inline, so memory stays bounded by a few small batches.
/// </para>
/// </summary>
public sealed class BatchOutput : IAsyncDisposable
{
    /// <summary>Most commits running at once.</summary>
    public const int MaxCommitsInFlight = 16;

    /// <summary>Largest batch whose commit may run in the background (bigger ones have already streamed their parts).</summary>
    public const long BackgroundCommitMaxBytes = 1 << 20;

    private readonly SemaphoreSlim _slots = new(MaxCommitsInFlight, MaxCommitsInFlight);
    private readonly Sha256Pipeline _hasher = new();
    private readonly List<Task> _inFlight = [];
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
    /// <summary>The checksum thread every batch of this pass shares (readers wait on it before reusing borrowed buffers).</summary>
    public Sha256Pipeline Hasher => _hasher;
    /// <summary>Batches found already stored (a resumed run) and therefore not written again.</summary>
    public int Reused { get; private set; }
    public int Written { get; private set; }
    /// <summary>Told after every batch is cut (see <see cref="PartitionProgressHook"/>); null for no reports.</summary>
    public PartitionProgressHook? Progress { get; set; }

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
            return new BatchWriter(index, key, firstRecord, null, size, _hasher);
        var writer = await _store.OpenWriteAsync(key, ct).ConfigureAwait(false);
        return new BatchWriter(index, key, firstRecord, writer, null, _hasher);
    }

    /// <summary>
    /// Finishes <paramref name="writer"/>'s batch and takes ownership of it: the commit (and dispose) may still be in
    /// flight when this returns. A failed background commit surfaces here on a later batch or in <see cref="DrainAsync"/>.
    /// </summary>
    public async Task<Batch> CompleteAsync(BatchWriter writer, CancellationToken ct)
    {
        ThrowIfCommitFailed();
        var batch = await writer.FinishAsync(ct).ConfigureAwait(false);
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
            await CommitAsync(writer, batch.Bytes, ct).ConfigureAwait(false);
            Written++;
        }
        Batches.Add(batch);
        if (Progress is { } progress)
            await progress.BatchCutAsync(ct).ConfigureAwait(false);
        return batch;
    }

    /// <summary>Waits for every background commit; throws the first failure. Call before writing the manifest.</summary>
    public async Task DrainAsync()
    {
        Task[] pending;
        lock (_inFlight)
            pending = [.. _inFlight];
        await Task.WhenAll(pending).ConfigureAwait(false);
        ThrowIfCommitFailed();
    }

    /// <summary>Waits for background commits without throwing (error paths: never leave uploads running).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await DrainAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The pass is already failing with its own error; committed batches are reused by the next pass.
        }
        _slots.Dispose();
        _hasher.Dispose();
    }

    private async Task CommitAsync(BatchWriter writer, long bytes, CancellationToken ct)
    {
        writer.HandedOff = true;
        if (bytes > BackgroundCommitMaxBytes)
        {
            try
            {
                await writer.CommitAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                await writer.ReleaseAsync().ConfigureAwait(false);
            }
            return;
        }
        await _slots.WaitAsync(ct).ConfigureAwait(false);
        var commit = Task.Run(async () =>
        {
            try
            {
                await writer.CommitAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                await writer.ReleaseAsync().ConfigureAwait(false);
                _slots.Release();
            }
        }, CancellationToken.None);
        lock (_inFlight)
        {
            _inFlight.RemoveAll(t => t.IsCompletedSuccessfully);
            _inFlight.Add(commit);
        }
    }

    private void ThrowIfCommitFailed()
    {
        Task? failed;
        lock (_inFlight)
            failed = _inFlight.Find(t => t.IsFaulted || t.IsCanceled);
        failed?.GetAwaiter().GetResult();
    }
}
