using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using Coordinator.Data.Storage;

namespace Coordinator.Aws.S3;

/// <summary>
/// s3://bucket/key adapter. Reads stream (optionally a byte range); writes go through <see cref="S3UploadStream"/>,
/// which uses one PutObject for small objects and a multipart upload for large ones, so memory stays at a couple of
/// parts whatever the object size. Listing pages through ListObjectsV2, which S3 defines to return keys in UTF-8 binary
/// (lexicographic) order. NoSuchKey/NoSuchBucket/AccessDenied become <see cref="ObjectStoreException"/>s naming the URI.
/// </summary>
public sealed class S3ObjectStore(IAmazonS3 s3, int partSize = S3UploadStream.DefaultPartSize) : IObjectStore
{
    public async Task<ObjectInfo?> HeadAsync(Uri uri, CancellationToken ct)
    {
        var loc = S3Address.Parse(uri);
        try
        {
            var head = await s3.GetObjectMetadataAsync(loc.Bucket, loc.Key, ct).ConfigureAwait(false);
            return new ObjectInfo(uri, head.ContentLength, head.LastModified, head.ETag);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            return null;
        }
        catch (AmazonS3Exception e)
        {
            throw Translate(uri, e, "reading object metadata");
        }
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(Uri prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        var loc = S3Address.Parse(prefix);
        var request = new ListObjectsV2Request { BucketName = loc.Bucket, Prefix = loc.Key };
        while (true)
        {
            ListObjectsV2Response page;
            try
            {
                page = await s3.ListObjectsV2Async(request, ct).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e)
            {
                throw Translate(prefix, e, "listing prefix");
            }
            foreach (var obj in page.S3Objects ?? [])
            {
                if (obj.Key.EndsWith('/'))
                    continue; // "folder" marker objects created by consoles hold no records
                yield return new ObjectInfo(S3Address.ToUri(loc.Bucket, obj.Key), obj.Size ?? 0, obj.LastModified, obj.ETag);
            }
            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
                yield break;
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public Task<Stream> OpenReadAsync(Uri uri, CancellationToken ct, long offset = 0, long? length = null) =>
        OpenReadIfMatchAsync(uri, null, ct, offset, length);

    /// <summary>GetObject with If-Match: S3 serves that version or answers 412, atomically with the read.</summary>
    public async Task<Stream> OpenReadIfMatchAsync(Uri uri, string? etag, CancellationToken ct, long offset = 0, long? length = null)
    {
        var loc = S3Address.Parse(uri);
        var request = new GetObjectRequest { BucketName = loc.Bucket, Key = loc.Key, EtagToMatch = etag };
        if (length is { } n)
        {
            if (n <= 0)
                return new MemoryStream([], writable: false);
            request.ByteRange = new ByteRange(offset, offset + n - 1);
        }
        else if (offset > 0)
        {
            request.ByteRange = new ByteRange($"bytes={offset}-");
        }
        try
        {
            var response = await s3.GetObjectAsync(request, ct).ConfigureAwait(false);
            return response.ResponseStream;
        }
        catch (AmazonS3Exception e) when (etag is not null && e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            throw ObjectStoreException.VersionChanged(uri, etag, null, e);
        }
        catch (AmazonS3Exception e)
        {
            throw Translate(uri, e, "reading object");
        }
    }

    /// <summary>Multipart with UploadPartCopy for large ranges of other S3 objects (see <see cref="S3ObjectComposition"/>).</summary>
    public Task<IObjectComposition?> OpenCompositionAsync(Uri uri, CancellationToken ct) =>
        Task.FromResult<IObjectComposition?>(new S3ObjectComposition(new S3UploadStream(s3, uri, S3Address.Parse(uri), partSize)));

    public Task<IObjectWriter> OpenWriteAsync(Uri uri, CancellationToken ct)
    {
        var loc = S3Address.Parse(uri);
        return Task.FromResult<IObjectWriter>(new S3ObjectWriter(new S3UploadStream(s3, uri, loc, partSize)));
    }

    /// <summary>
    /// CreateMultipartUpload on the key, then AbortMultipartUpload: fails as the real write would (NoSuchBucket,
    /// AccessDenied) and leaves nothing behind, whatever is at the key now. An abort that finds no upload (its own
    /// earlier try took effect, the reply was lost) has done its work. Needs s3:PutObject and
    /// s3:AbortMultipartUpload, which the writer of the output has anyway.
    /// </summary>
    public async Task ProbeWriteAsync(Uri uri, CancellationToken ct)
    {
        var loc = S3Address.Parse(uri);
        string uploadId;
        try
        {
            uploadId = (await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = loc.Bucket, Key = loc.Key }, ct)
                .ConfigureAwait(false)).UploadId;
        }
        catch (AmazonS3Exception e)
        {
            throw Translate(uri, e, "writing object");
        }
        try
        {
            await s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = loc.Bucket, Key = loc.Key, UploadId = uploadId }, ct)
                .ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchUpload")
        {
            // The upload is gone, which is what the abort is for: an earlier try of this abort took effect and its
            // reply was lost, so the SDK's retry found nothing to abort. The bucket and the write were proven above.
        }
        catch (AmazonS3Exception e)
        {
            throw Translate(uri, e, "aborting the probe upload");
        }
    }

    /// <summary>One DeleteObjects call (quiet mode) per bucket and <see cref="IObjectStore.MaxDeleteBatch"/> keys.</summary>
    public async Task DeleteManyAsync(IReadOnlyList<Uri> uris, CancellationToken ct)
    {
        foreach (var bucket in uris.Select(uri => (Uri: uri, Address: S3Address.Parse(uri))).GroupBy(u => u.Address.Bucket, StringComparer.Ordinal))
        {
            foreach (var chunk in bucket.Chunk(IObjectStore.MaxDeleteBatch))
            {
                var request = new DeleteObjectsRequest
                {
                    BucketName = bucket.Key,
                    Quiet = true,
                    Objects = [.. chunk.Select(u => new KeyVersion { Key = u.Address.Key })],
                };
                List<DeleteError>? errors;
                try
                {
                    errors = (await s3.DeleteObjectsAsync(request, ct).ConfigureAwait(false)).DeleteErrors;
                }
                catch (DeleteObjectsException e)
                {
                    errors = e.Response?.DeleteErrors;
                }
                catch (AmazonS3Exception e)
                {
                    throw Translate(chunk[0].Uri, e, $"deleting {chunk.Length} objects");
                }
                if (errors is [var first, ..])
                {
                    var uri = chunk.Where(u => u.Address.Key == first.Key).Select(u => u.Uri).DefaultIfEmpty(chunk[0].Uri).First();
                    throw new ObjectStoreException(uri, first.Code == "AccessDenied" ? ObjectStoreErrorKind.AccessDenied : ObjectStoreErrorKind.Failed,
                        $"deleting object failed ({first.Code}: {first.Message}); {errors.Count} of {chunk.Length} keys in the call were not deleted");
                }
            }
        }
    }

    public async Task DeleteAsync(Uri uri, CancellationToken ct)
    {
        var loc = S3Address.Parse(uri);
        try
        {
            await s3.DeleteObjectAsync(loc.Bucket, loc.Key, ct).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e)
        {
            throw Translate(uri, e, "deleting object");
        }
    }

    /// <summary>Map an S3 error onto the port's error kinds, keeping the URI and what we were doing.</summary>
    internal static ObjectStoreException Translate(Uri uri, AmazonS3Exception e, string doing)
    {
        var kind = e.ErrorCode switch
        {
            "NoSuchKey" or "NoSuchBucket" or "NoSuchUpload" => ObjectStoreErrorKind.NotFound,
            "AccessDenied" or "AllAccessDisabled" or "InvalidAccessKeyId" or "SignatureDoesNotMatch" => ObjectStoreErrorKind.AccessDenied,
            _ => e.StatusCode switch
            {
                HttpStatusCode.NotFound => ObjectStoreErrorKind.NotFound,
                HttpStatusCode.Forbidden => ObjectStoreErrorKind.AccessDenied,
                _ => ObjectStoreErrorKind.Failed,
            },
        };
        var what = kind switch
        {
            ObjectStoreErrorKind.NotFound => e.ErrorCode == "NoSuchBucket" ? "no such bucket" : "no such object",
            ObjectStoreErrorKind.AccessDenied => "access denied",
            _ => $"S3 error {e.ErrorCode} ({(int)e.StatusCode})",
        };
        return new ObjectStoreException(uri, kind, $"{what} while {doing}", e);
    }
}
