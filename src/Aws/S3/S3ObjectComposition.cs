using Coordinator.Data.Storage;

namespace Coordinator.Aws.S3;

/// <summary>
/// An S3 object composed of buffered bytes (UploadPart) and ranges of other objects copied inside S3 (UploadPartCopy):
/// the aggregator concatenates large results without sending their bytes back up. A thin face over
/// <see cref="S3UploadStream"/>, which owns the multipart upload, the part numbering and the abort; an object that
/// never needed a part (small, no copy) is still one PutObject, and disposing without commit aborts the upload.
/// </summary>
public sealed class S3ObjectComposition(S3UploadStream stream) : IObjectComposition
{
    public long MinPartSize => S3UploadStream.MinPartSize;

    public long Buffered => stream.Buffered;

    public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct) => stream.WriteAsync(bytes, ct);

    public Task CopyAsync(Uri source, long offset, long length, CancellationToken ct) => stream.CopyAsync(source, null, offset, length, ct);

    public Task CopyAsync(Uri source, string? sourceETag, long offset, long length, CancellationToken ct) =>
        stream.CopyAsync(source, sourceETag, offset, length, ct);

    public Task CommitAsync(CancellationToken ct) => stream.CompleteAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await stream.AbortIfIncompleteAsync().ConfigureAwait(false);
        await stream.DisposeAsync().ConfigureAwait(false);
    }
}
