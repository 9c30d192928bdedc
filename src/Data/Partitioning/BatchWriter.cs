using Coordinator.Data.Storage;
using Coordinator.Model.Manifests;

namespace Coordinator.Data.Partitioning;

/// <summary>
/// One batch being written: formats write its bytes to <see cref="Stream"/> and report records and sources; the
/// bytes go to the object store (or, for a batch that already exists from an interrupted run, only through the hash).
/// Created and completed by <see cref="BatchOutput"/>.
/// </summary>
public sealed class BatchWriter : IAsyncDisposable
{
    private readonly IObjectWriter? _writer;
    private readonly HashingStream _stream;

    internal BatchWriter(int index, Uri key, long firstRecord, IObjectWriter? writer, long? existingSize, Sha256Pipeline hasher)
    {
        Index = index;
        Key = key;
        FirstRecord = firstRecord;
        _writer = writer;
        ExistingSize = existingSize;
        _stream = new HashingStream(writer?.Stream ?? System.IO.Stream.Null, hasher);
    }

    public int Index { get; }
    public Uri Key { get; }
    public long FirstRecord { get; }
    public long RecordCount { get; private set; }
    /// <summary>Bytes written so far (the header included).</summary>
    public long Bytes => _stream.Length;
    public Stream Stream => _stream;
    /// <summary>Size of the object already stored under <see cref="Key"/>, when this batch is being re-derived on resume.</summary>
    internal long? ExistingSize { get; }
    internal bool IsReused => _writer is null;
    public List<string> Sources { get; } = [];

    public void AddRecords(long count) => RecordCount += count;

    /// <summary>See <see cref="HashingStream.WriteBorrowedAsync"/>: a large run written without a copy; returns the sequence number to wait for before reusing the bytes.</summary>
    public ValueTask<long> WriteBorrowedAsync(byte[] array, int offset, int count, CancellationToken ct) =>
        _stream.WriteBorrowedAsync(array, offset, count, ct);

    /// <summary>Note that the records now being added come from <paramref name="source"/> (kept once, in order).</summary>
    public void AddSource(string source)
    {
        if (Sources.Count == 0 || Sources[^1] != source)
            Sources.Add(source);
    }

    /// <summary>Set once <see cref="BatchOutput"/> owns this writer (its commit may still be in flight): the format's own dispose is then a no-op.</summary>
    internal bool HandedOff { get; set; }

    /// <summary>Flushes the bytes through the hash; the batch's manifest entry is final from here, before the commit.</summary>
    internal async Task<Batch> FinishAsync(CancellationToken ct)
    {
        await _stream.FlushAsync(ct).ConfigureAwait(false);
        var sha256 = await _stream.Sha256HexAsync().ConfigureAwait(false);
        return new Batch
        {
            Index = Index,
            Sources = Sources,
            FirstRecord = FirstRecord,
            RecordCount = RecordCount,
            Bytes = _stream.Length,
            Key = Key.ToString(),
            Sha256 = sha256,
        };
    }

    /// <summary>Makes the stored object visible (no-op for a reused batch).</summary>
    internal Task CommitAsync(CancellationToken ct) => _writer is null ? Task.CompletedTask : _writer.CommitAsync(ct);

    public ValueTask DisposeAsync() => HandedOff ? ValueTask.CompletedTask : ReleaseAsync();

    /// <summary>Disposes the stream and the object writer (an uncommitted writer leaves nothing behind).</summary>
    internal async ValueTask ReleaseAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        if (_writer is not null)
            await _writer.DisposeAsync().ConfigureAwait(false);
    }
}
