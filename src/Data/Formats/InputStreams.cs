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
}
