using Coordinator.Data.Storage;

namespace Coordinator.Aws.S3;

/// <summary>
/// The <see cref="IObjectStore"/> controllers get: sends each call to the adapter for the URI's scheme (s3 or file),
/// so input on S3 can be partitioned onto a shared filesystem and back through one code path. The S3 adapter is built
/// on first use, so a daemon working only with file:// never needs AWS credentials.
/// </summary>
public sealed class ObjectStoreRouter(IObjectStore file, Lazy<IObjectStore> s3) : IObjectStore
{
    /// <summary>
    /// The production wiring: file:// on the local filesystem (confined to <paramref name="fileRoots"/> when given),
    /// s3:// through the shared client factory.
    /// </summary>
    public static ObjectStoreRouter Create(AwsClientFactory aws, bool flushFilesToDisk = true, FileRoots? fileRoots = null) =>
        new(new FileObjectStore(flushFilesToDisk, fileRoots), new Lazy<IObjectStore>(() => new S3ObjectStore(aws.CreateS3())));

    public Task<ObjectInfo?> HeadAsync(Uri uri, CancellationToken ct) => For(uri).HeadAsync(uri, ct);

    public IAsyncEnumerable<ObjectInfo> ListAsync(Uri prefix, CancellationToken ct) => For(prefix).ListAsync(prefix, ct);

    public Task<Stream> OpenReadAsync(Uri uri, CancellationToken ct, long offset = 0, long? length = null) =>
        For(uri).OpenReadAsync(uri, ct, offset, length);

    public Task<Stream> OpenReadIfMatchAsync(Uri uri, string? etag, CancellationToken ct, long offset = 0, long? length = null) =>
        For(uri).OpenReadIfMatchAsync(uri, etag, ct, offset, length);

    public Task<IObjectWriter> OpenWriteAsync(Uri uri, CancellationToken ct) => For(uri).OpenWriteAsync(uri, ct);

    public Task DeleteAsync(Uri uri, CancellationToken ct) => For(uri).DeleteAsync(uri, ct);

    public Task ProbeWriteAsync(Uri uri, CancellationToken ct) => For(uri).ProbeWriteAsync(uri, ct);

    public async Task DeleteManyAsync(IReadOnlyList<Uri> uris, CancellationToken ct)
    {
        foreach (var group in uris.GroupBy(For))
        {
            await group.Key.DeleteManyAsync([.. group], ct).ConfigureAwait(false);
        }
    }

    public Task<IObjectComposition?> OpenCompositionAsync(Uri uri, CancellationToken ct) => For(uri).OpenCompositionAsync(uri, ct);

    private IObjectStore For(Uri uri) => uri.IsAbsoluteUri ? uri.Scheme switch
    {
        "s3" => s3.Value,
        "file" => file,
        _ => throw new ObjectStoreException(uri, ObjectStoreErrorKind.InvalidUri, "unsupported scheme (use s3:// or file://)"),
    } : throw new ObjectStoreException(uri, ObjectStoreErrorKind.InvalidUri, "not an absolute URI");
}
