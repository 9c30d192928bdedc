using Coordinator.Controllers.Ports;

namespace Coordinator.Controllers.Storage;

/// <summary>
/// An S3 object composed of buffered bytes (UploadPart) and ranges of other objects copied inside S3 (UploadPartCopy):
/// the aggregator concatenates large results without sending their bytes back up. A thin face over
/// <see cref="S3UploadStream"/>, which owns the multipart upload, the part numbering and the abort; an object that
/// never needed a part (small, no copy) is still one PutObject, and disposing without commit aborts the upload.
/// </summary>
public sealed class S3ObjectComposition(S3UploadStream stream) : IObjectComposition
{
    /// <summary>S3's smallest part, except the last.</summary>
    public const long MinimumPartSize = S3UploadStream.MinPartSize;

    /// <summary>S3's largest UploadPartCopy range.</summary>
    public const long MaximumCopyPartSize = 5L * 1024 * 1024 * 1024;

    public long MinPartSize => MinimumPartSize;

    public long Buffered => stream.Buffered;

    public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct) => stream.WriteAsync(bytes, ct);

    public Task CopyAsync(Uri source, long offset, long length, CancellationToken ct) => stream.CopyAsync(source, offset, length, ct);

    public Task CommitAsync(CancellationToken ct) => stream.CompleteAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await stream.AbortIfIncompleteAsync().ConfigureAwait(false);
        await stream.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The inclusive byte ranges one copy is cut into: as few as keep each within <paramref name="maxPart"/>, of equal
    /// size (±1 byte), so none falls below the 5 MiB minimum when the whole is at least that. Pure.
    /// </summary>
    public static IEnumerable<(long First, long Last)> CopyRanges(long offset, long length, long maxPart)
    {
        var pieces = (length + maxPart - 1) / maxPart;
        for (var i = 0L; i < pieces; i++)
        {
            yield return (offset + length * i / pieces, offset + length * (i + 1) / pieces - 1);
        }
    }
}
