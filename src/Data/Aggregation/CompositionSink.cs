using Coordinator.Data.Storage;

namespace Coordinator.Data.Aggregation;

/// <summary>
/// Feeds an <see cref="IObjectComposition"/>: bytes go into its buffered part until <see cref="CopyPlanner"/> says the
/// rest of the current result can be copied by the store, which is then asked to copy it; that result's remaining
/// bytes are still read by the concatenator (for its checksum and the output's) but dropped here. Results whose size
/// is not known are streamed. Copies are conditional on the result's recorded ETag, as the reads are, so the bytes
/// copied are the version whose bytes were verified. A copied result must turn out exactly as long as listed: one that changed between the
/// listing and the read fails the pass (the copy may hold other bytes than were verified), and the next pass
/// aggregates again.
/// </summary>
public sealed class CompositionSink(IObjectComposition composition, IReadOnlyList<ResultSource> sources, IReadOnlyDictionary<Uri, long> sizes) : ITextSink
{
    private int _current = -1;
    private long? _copyFrom;
    private bool _copying;

    /// <summary>Results (or their tails) copied by the store.</summary>
    public int Copies { get; private set; }

    /// <summary>Bytes copied by the store rather than sent from here.</summary>
    public long CopiedBytes { get; private set; }

    public async ValueTask WriteAsync(int source, long offset, ReadOnlyMemory<byte> chunk, CancellationToken ct)
    {
        if (offset < 0)
        {
            await composition.WriteAsync(chunk, ct).ConfigureAwait(false);
            return;
        }
        var uri = sources[source].Uri;
        if (source != _current)
        {
            _current = source;
            _copying = false;
            _copyFrom = sizes.TryGetValue(uri, out var listed) ? CopyPlanner.CopyFrom(composition.Buffered, offset, listed, composition.MinPartSize) : null;
        }
        if (_copyFrom is not { } from || offset + chunk.Length <= from)
        {
            await composition.WriteAsync(chunk, ct).ConfigureAwait(false);
            return;
        }
        if (offset < from)
        {
            await composition.WriteAsync(chunk[..(int)(from - offset)], ct).ConfigureAwait(false);
        }
        if (!_copying)
        {
            _copying = true;
            var size = sizes[uri];
            // Only the recorded version: the verifying read opened that version, and bytes written since (a superseded
            // attempt resuming) must not be copied in unverified.
            await composition.CopyAsync(uri, sources[source].ETag, from, size - from, ct).ConfigureAwait(false);
            Copies++;
            CopiedBytes += size - from;
        }
    }

    public ValueTask EndSourceAsync(int source, long length, CancellationToken ct)
    {
        var uri = sources[source].Uri;
        if (source == _current && _copyFrom is not null && sizes[uri] != length)
        {
            throw new IOException($"result of batch {sources[source].Index} ({uri}) was {sizes[uri]} bytes when listed but {length} when read: "
                + "it changed during aggregation, so its server-side copy cannot be trusted; aggregating again");
        }
        return ValueTask.CompletedTask;
    }
}
