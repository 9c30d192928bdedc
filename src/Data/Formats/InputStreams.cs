using Coordinator.Data.Partitioning;
using Coordinator.Data.Storage;

namespace Coordinator.Data.Formats;

/// <summary>Opens input objects for streaming reads, decompressing <c>.gz</c> objects transparently.</summary>
public static class InputStreams
{
    public static bool IsGzip(Uri uri) => uri.AbsolutePath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The decompressed byte stream of <paramref name="input"/>. Gzip objects may have several members; each member's
    /// CRC32 and ISIZE is checked, and a truncated or corrupt one is an <see cref="InputFormatException"/> naming the
    /// object, the member and the compressed byte offset (see <see cref="GzipMembersStream"/>).
    /// </summary>
    public static async Task<Stream> OpenAsync(IObjectStore store, ObjectInfo input, CancellationToken ct)
    {
        var raw = await store.OpenReadAsync(input.Uri, ct).ConfigureAwait(false);
        if (!IsGzip(input.Uri))
            return raw;
        try
        {
            return new GzipMembersStream(raw, input.Uri.ToString());
        }
        catch
        {
            await raw.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The per-object loop every text format shares: each input in order becomes the batches' source (for error
    /// positions), is counted, opened (gzip transparent) and handed to <paramref name="read"/>, then closed.
    /// </summary>
    public static async Task ForEachAsync(IObjectStore store, IReadOnlyList<ObjectInfo> inputs, TextBatchAssembler batches,
        PartitionStats stats, Func<ObjectInfo, Stream, Task> read, CancellationToken ct)
    {
        foreach (var input in inputs)
        {
            batches.SetSource(input.Uri.ToString());
            stats.Objects++;
            await using var stream = await OpenAsync(store, input, ct).ConfigureAwait(false);
            await read(input, stream).ConfigureAwait(false);
        }
    }
}
