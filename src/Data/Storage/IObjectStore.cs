namespace Coordinator.Data.Storage;

/// <summary>
/// Metadata of one stored object. <see cref="ETag"/> is the version of its bytes: the S3 ETag, or a file's version
/// token; null when unknown.
/// </summary>
public sealed record ObjectInfo(Uri Uri, long Size, DateTimeOffset? LastModified, string? ETag = null);

/// <summary>
/// Object storage port: s3://bucket/key and file:///path go through the same code path above it.
/// Adapters: S3ObjectStore, FileObjectStore. Controllers never see an AWS type.
/// </summary>
public interface IObjectStore
{
    /// <summary>Metadata of one object, or null if it does not exist.</summary>
    Task<ObjectInfo?> HeadAsync(Uri uri, CancellationToken ct);

    /// <summary>Every object under a prefix, in lexicographic key order.</summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(Uri prefix, CancellationToken ct);

    /// <summary>Open an object for streaming reads, optionally a byte range.</summary>
    Task<Stream> OpenReadAsync(Uri uri, CancellationToken ct, long offset = 0, long? length = null);

    /// <summary>
    /// Opens exactly version <paramref name="etag"/> of an object (see <see cref="ObjectInfo.ETag"/>; S3 GetObject with
    /// If-Match), or throws <see cref="ObjectStoreException"/> of kind <see cref="ObjectStoreErrorKind.PreconditionFailed"/>
    /// when the object is now another version. A null <paramref name="etag"/> opens whatever is there. This default, for
    /// stores that do not override it, compares <see cref="HeadAsync"/>'s ETag first (not atomic with the read); both
    /// real adapters override it with a read that is.
    /// </summary>
    async Task<Stream> OpenReadIfMatchAsync(Uri uri, string? etag, CancellationToken ct, long offset = 0, long? length = null)
    {
        if (etag is not null)
        {
            var info = await HeadAsync(uri, ct).ConfigureAwait(false)
                ?? throw new ObjectStoreException(uri, ObjectStoreErrorKind.NotFound, "no such object");
            if (info.ETag is { } current && current != etag)
            {
                throw ObjectStoreException.VersionChanged(uri, etag, current);
            }
        }
        return await OpenReadAsync(uri, ct, offset, length).ConfigureAwait(false);
    }

    /// <summary>
    /// Open a stream whose content becomes the object atomically when <see cref="IObjectWriter.CommitAsync"/> is called;
    /// disposing without commit leaves nothing behind.
    /// </summary>
    Task<IObjectWriter> OpenWriteAsync(Uri uri, CancellationToken ct);

    Task DeleteAsync(Uri uri, CancellationToken ct);

    /// <summary>
    /// Checks that <paramref name="uri"/> could be written, leaving nothing behind and never touching an object already
    /// there: throws <see cref="ObjectStoreException"/> (a missing bucket, access denied, a directory that cannot be
    /// made) as the real write would. This default opens a write and disposes it uncommitted (file://: a temporary file
    /// made and removed beside the object); S3 starts a multipart upload and aborts it.
    /// </summary>
    async Task ProbeWriteAsync(Uri uri, CancellationToken ct)
    {
        var writer = await OpenWriteAsync(uri, ct).ConfigureAwait(false);
        await writer.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes several objects (what is not there counts as deleted). S3 sends one DeleteObjects call per
    /// <see cref="MaxDeleteBatch"/> keys of a bucket; this default deletes them one by one. Throws naming the first
    /// object that could not be deleted.
    /// </summary>
    async Task DeleteManyAsync(IReadOnlyList<Uri> uris, CancellationToken ct)
    {
        foreach (var uri in uris)
        {
            await DeleteAsync(uri, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Keys one S3 DeleteObjects call takes at most.</summary>
    const int MaxDeleteBatch = 1000;

    /// <summary>
    /// An object composed of written bytes and server-side copies of other objects (see <see cref="IObjectComposition"/>),
    /// or null when the store cannot copy server-side (files, test doubles): callers then stream through
    /// <see cref="OpenWriteAsync"/>.
    /// </summary>
    Task<IObjectComposition?> OpenCompositionAsync(Uri uri, CancellationToken ct) => Task.FromResult<IObjectComposition?>(null);
}

/// <summary>A pending object write (multipart upload, or a temp file renamed into place).</summary>
public interface IObjectWriter : IAsyncDisposable
{
    Stream Stream { get; }
    Task CommitAsync(CancellationToken ct);

    /// <summary>Once committed: the version of what was committed (see <see cref="ObjectInfo.ETag"/>); null before, or when unknown.</summary>
    string? ETag => null;
}
