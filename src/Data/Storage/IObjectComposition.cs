namespace Coordinator.Data.Storage;

/// <summary>
/// A pending object built from parts in order: bytes written through <see cref="WriteAsync"/> (buffered and uploaded
/// as parts) and byte ranges of other objects copied by the store itself (<see cref="CopyAsync(Uri, long, long, CancellationToken)"/>, S3 UploadPartCopy),
/// so large inputs never pass through this process on their way up. Every part but the last must be at least
/// <see cref="MinPartSize"/>: the caller copies only when what is buffered is empty or already that large, and copies
/// only ranges that large. Nothing is visible until <see cref="CommitAsync"/>; disposing without commit leaves nothing.
/// </summary>
public interface IObjectComposition : IAsyncDisposable
{
    /// <summary>Smallest part the store accepts, except the last (S3: 5 MiB).</summary>
    long MinPartSize { get; }

    /// <summary>Bytes written and not yet shipped as a part.</summary>
    long Buffered { get; }

    /// <summary>Appends bytes; a full part is uploaded as it fills.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct);

    /// <summary>
    /// Appends bytes [<paramref name="offset"/>, offset + <paramref name="length"/>) of <paramref name="source"/>,
    /// copied by the store: what is buffered is shipped as a part first. The copy may still be running when this
    /// returns; <see cref="CommitAsync"/> waits for it.
    /// </summary>
    Task CopyAsync(Uri source, long offset, long length, CancellationToken ct);

    /// <summary>
    /// As <see cref="CopyAsync(Uri, long, long, CancellationToken)"/>, copying only version <paramref name="sourceETag"/>
    /// of <paramref name="source"/> (S3 UploadPartCopy with x-amz-copy-source-if-match): if the source is now another
    /// version, the copy (or <see cref="CommitAsync"/>, which waits for it) throws <see cref="ObjectStoreException"/> of
    /// kind <see cref="ObjectStoreErrorKind.PreconditionFailed"/>. Compositions that cannot copy conditionally refuse a
    /// version rather than copy unverified bytes.
    /// </summary>
    Task CopyAsync(Uri source, string? sourceETag, long offset, long length, CancellationToken ct) => sourceETag is null
        ? CopyAsync(source, offset, length, ct)
        : throw new NotSupportedException($"{GetType().Name} cannot copy {source} conditionally on its ETag");

    /// <summary>Ships what is buffered as the last part, waits for every copy, and makes the object visible.</summary>
    Task CommitAsync(CancellationToken ct);
}
