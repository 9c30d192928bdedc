using System.Buffers.Binary;
using System.IO.Compression;
using Coordinator.Controllers.Ports;

namespace Coordinator.Controllers.Formats;

/// <summary>Opens input objects for streaming reads, decompressing <c>.gz</c> objects transparently.</summary>
public static class InputStreams
{
    public static bool IsGzip(Uri uri) => uri.AbsolutePath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The decompressed byte stream of <paramref name="input"/>. For gzip, .NET's GZipStream ends silently at a truncated
    /// input, so the trailer's ISIZE (uncompressed size mod 2^32, the object's last 4 bytes) is fetched with one ranged
    /// read first and checked when the stream ends (see <see cref="GzipCheckedStream"/>).
    /// </summary>
    public static async Task<Stream> OpenAsync(IObjectStore store, ObjectInfo input, CancellationToken ct)
    {
        if (!IsGzip(input.Uri))
            return await store.OpenReadAsync(input.Uri, ct).ConfigureAwait(false);
        var source = input.Uri.ToString();
        if (input.Size < 18) // a gzip member is at least a 10-byte header and an 8-byte trailer
            throw new InputFormatException(InputErrorReasons.CorruptCompression, source, "", $"gzip object of {input.Size} bytes is truncated");
        var trailer = new byte[4];
        await using (var tail = await store.OpenReadAsync(input.Uri, ct, input.Size - 4, 4).ConfigureAwait(false))
            await tail.ReadExactlyAsync(trailer, ct).ConfigureAwait(false);
        var raw = await store.OpenReadAsync(input.Uri, ct).ConfigureAwait(false);
        return new GzipCheckedStream(new GZipStream(raw, CompressionMode.Decompress), BinaryPrimitives.ReadUInt32LittleEndian(trailer), source);
    }
}
