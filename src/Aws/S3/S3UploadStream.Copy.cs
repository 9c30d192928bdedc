using Amazon.S3;
using Amazon.S3.Model;
using Coordinator.Data.Storage;

namespace Coordinator.Aws.S3;

/// <summary>Server-side copy parts (UploadPartCopy): how a copy is cut into parts and how each part is copied.</summary>
public sealed partial class S3UploadStream
{
    /// <summary>
    /// Appends bytes [<paramref name="offset"/>, offset + <paramref name="length"/>) of <paramref name="source"/> as
    /// parts copied by S3 (cut by <see cref="CopyRanges"/>); what is buffered is shipped first and
    /// must then be at least <see cref="MinPartSize"/>. The copies may still run when this returns.
    /// </summary>
    public Task CopyAsync(Uri source, long offset, long length, CancellationToken ct) => CopyAsync(source, null, offset, length, ct);

    /// <summary>
    /// As <see cref="CopyAsync(Uri, long, long, CancellationToken)"/>; with <paramref name="sourceETag"/>, every part is
    /// copied only from that version of <paramref name="source"/> (x-amz-copy-source-if-match): a source overwritten
    /// since then fails the copy with <see cref="ObjectStoreErrorKind.PreconditionFailed"/>.
    /// </summary>
    public async Task CopyAsync(Uri source, string? sourceETag, long offset, long length, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        if (_filled > 0)
        {
            if (_filled < MinPartSize)
                throw new InvalidOperationException(
                    $"{_filled} buffered bytes would make a part below S3's {MinPartSize}-byte minimum before the copy of {source}");
            await ShipPartAsync(ct).ConfigureAwait(false);
        }
        else
        {
            await StartUploadAsync(ct).ConfigureAwait(false);
        }
        var from = S3Address.Parse(source);
        if (sourceETag is not null)
        {
            _conditionalSources.Add((source, from, sourceETag));
        }
        foreach (var (first, last) in CopyRanges(offset, length, MaxCopyPartSize))
        {
            var partNumber = ++_partsStarted;
            await _copySlots.WaitAsync(ct).ConfigureAwait(false);
            _copies.Add(CopyPartAsync(source, sourceETag, from, first, last, partNumber, ct));
        }
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

    /// <summary>
    /// Before the upload completes, once every copy has finished: each source copied conditionally must still be the
    /// version asked for. S3 itself refuses a copy from another version (x-amz-copy-source-if-match), but not every
    /// S3-compatible store does (moto 5.2 ignores the header on UploadPartCopy); if the source changed before its copy,
    /// it shows here, and the upload is never completed. (One that changed only after its copy fails too: safe.)
    /// </summary>
    private async Task CheckCopiedVersionsAsync(CancellationToken ct)
    {
        foreach (var (source, from, etag) in _conditionalSources.Distinct())
        {
            GetObjectMetadataResponse head;
            try
            {
                head = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = from.Bucket, Key = from.Key }, ct).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e)
            {
                throw S3ObjectStore.Translate(source, e, "checking a copied object's version");
            }
            if (head.ETag != etag)
            {
                throw ObjectStoreException.VersionChanged(source, etag, head.ETag);
            }
        }
    }

    private async Task CopyPartAsync(Uri source, string? sourceETag, S3Address from, long first, long last, int partNumber, CancellationToken ct)
    {
        try
        {
            var response = await _s3.CopyPartAsync(new CopyPartRequest
            {
                SourceBucket = from.Bucket,
                SourceKey = from.Key,
                DestinationBucket = _location.Bucket,
                DestinationKey = _location.Key,
                UploadId = _uploadId,
                PartNumber = partNumber,
                FirstByte = first,
                LastByte = last,
                ETagToMatch = sourceETag is null ? null : [sourceETag],
            }, ct).ConfigureAwait(false);
            AddPart(partNumber, response.ETag);
        }
        catch (AmazonS3Exception e) when (sourceETag is not null && e.StatusCode == System.Net.HttpStatusCode.PreconditionFailed)
        {
            throw ObjectStoreException.VersionChanged(source, sourceETag, null, e);
        }
        catch (AmazonS3Exception e)
        {
            throw S3ObjectStore.Translate(e.StatusCode == System.Net.HttpStatusCode.NotFound ? source : _uri, e, "copying a part");
        }
        finally
        {
            _copySlots.Release();
        }
    }
}
