using Coordinator.Data.Storage;

namespace Coordinator.Aws.S3;

/// <summary>A pending S3 write: the object appears only when <see cref="CommitAsync"/> completes the upload.</summary>
internal sealed class S3ObjectWriter(S3UploadStream stream) : IObjectWriter
{
    public Stream Stream => stream;

    public Task CommitAsync(CancellationToken ct) => stream.CompleteAsync(ct);

    public string? ETag => stream.ETag;

    public async ValueTask DisposeAsync()
    {
        await stream.AbortIfIncompleteAsync().ConfigureAwait(false);
        await stream.DisposeAsync().ConfigureAwait(false);
    }
}
