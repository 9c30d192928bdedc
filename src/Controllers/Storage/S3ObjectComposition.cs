using System.Buffers;
using Amazon.S3;
using Amazon.S3.Model;
using Coordinator.Controllers.Ports;

namespace Coordinator.Controllers.Storage;

/// <summary>
/// An S3 object composed by a multipart upload whose parts are either buffered bytes (UploadPart) or ranges of other
/// objects copied inside S3 (UploadPartCopy, up to four at once): the aggregator concatenates large results without
/// sending their bytes back up. Part numbers are taken in call order, so the object's bytes are in call order whatever
/// order the copies finish in. A range over S3's 5 GiB copy limit is split into equal parts. An object that never
/// needed a part (small, no copy) is one PutObject. Disposing without commit aborts the upload.
/// </summary>
public sealed class S3ObjectComposition : IObjectComposition
{
    /// <summary>S3's smallest part, except the last.</summary>
    public const long MinimumPartSize = 5L * 1024 * 1024;

    /// <summary>S3's largest UploadPartCopy range.</summary>
    public const long MaximumCopyPartSize = 5L * 1024 * 1024 * 1024;

    private const int CopiesAtOnce = 4;

    private readonly IAmazonS3 _s3;
    private readonly Uri _uri;
    private readonly S3Address _location;
    private readonly int _partSize;
    private readonly List<PartETag> _parts = [];
    private readonly List<Task> _copies = [];
    private readonly SemaphoreSlim _copySlots = new(CopiesAtOnce);
    private byte[] _buffer = [];
    private int _filled;
    private int _nextPart;
    private string? _uploadId;
    private bool _completed;

    public S3ObjectComposition(IAmazonS3 s3, Uri uri, S3Address location, int partSize = S3UploadStream.DefaultPartSize)
    {
        _s3 = s3;
        _uri = uri;
        _location = location;
        _partSize = (int)Math.Max(partSize, MinimumPartSize);
    }

    public long MinPartSize => MinimumPartSize;

    public long Buffered => _filled;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        while (!bytes.IsEmpty)
        {
            var n = Math.Min(bytes.Length, _partSize - _filled);
            if (_filled + n > _buffer.Length)
            {
                Grow(_filled + n);
            }
            bytes.Span[..n].CopyTo(_buffer.AsSpan(_filled));
            _filled += n;
            bytes = bytes[n..];
            if (_filled == _partSize)
            {
                await ShipBufferAsync(ct).ConfigureAwait(false);
            }
        }
    }

    public async Task CopyAsync(Uri source, long offset, long length, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        if (_filled > 0)
        {
            if (_filled < MinimumPartSize)
            {
                throw new InvalidOperationException(
                    $"{_filled} buffered bytes would make a part below S3's {MinimumPartSize}-byte minimum before the copy of {source}");
            }
            await ShipBufferAsync(ct).ConfigureAwait(false);
        }
        var from = S3Address.Parse(source);
        foreach (var (first, last) in CopyRanges(offset, length, MaximumCopyPartSize))
        {
            var partNumber = await StartPartAsync(ct).ConfigureAwait(false);
            await _copySlots.WaitAsync(ct).ConfigureAwait(false);
            _copies.Add(CopyPartAsync(source, from, first, last, partNumber, ct));
        }
    }

    public async Task CommitAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        try
        {
            if (_uploadId is null)
            {
                using var body = new MemoryStream(_buffer, 0, _filled, writable: false);
                await _s3.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = _location.Bucket,
                    Key = _location.Key,
                    InputStream = body,
                    AutoCloseStream = false,
                }, ct).ConfigureAwait(false);
            }
            else
            {
                if (_filled > 0)
                {
                    await ShipBufferAsync(ct).ConfigureAwait(false);
                }
                await Task.WhenAll(_copies).ConfigureAwait(false);
                await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
                {
                    BucketName = _location.Bucket,
                    Key = _location.Key,
                    UploadId = _uploadId,
                    PartETags = [.. _parts.OrderBy(p => p.PartNumber)],
                }, ct).ConfigureAwait(false);
            }
            _completed = true;
        }
        catch (AmazonS3Exception e)
        {
            throw S3ObjectStore.Translate(_uri, e, "writing object");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_completed && _uploadId is not null)
            {
                try
                {
                    await Task.WhenAll(_copies).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // A failed copy is already reported; the abort below still releases the upload.
                }
                await _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest
                {
                    BucketName = _location.Bucket,
                    Key = _location.Key,
                    UploadId = _uploadId,
                }).ConfigureAwait(false);
            }
        }
        finally
        {
            _completed = true;
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = [];
            }
            _copySlots.Dispose();
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

    /// <summary>Starts the multipart upload on first use and takes the next part number.</summary>
    private async Task<int> StartPartAsync(CancellationToken ct)
    {
        try
        {
            _uploadId ??= (await _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
            {
                BucketName = _location.Bucket,
                Key = _location.Key,
            }, ct).ConfigureAwait(false)).UploadId;
        }
        catch (AmazonS3Exception e)
        {
            throw S3ObjectStore.Translate(_uri, e, "writing object");
        }
        return ++_nextPart;
    }

    private async Task ShipBufferAsync(CancellationToken ct)
    {
        var partNumber = await StartPartAsync(ct).ConfigureAwait(false);
        try
        {
            using var body = new MemoryStream(_buffer, 0, _filled, writable: false);
            var response = await _s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = _location.Bucket,
                Key = _location.Key,
                UploadId = _uploadId,
                PartNumber = partNumber,
                InputStream = body,
                PartSize = _filled,
            }, ct).ConfigureAwait(false);
            lock (_parts)
            {
                _parts.Add(new PartETag { PartNumber = partNumber, ETag = response.ETag });
            }
        }
        catch (AmazonS3Exception e)
        {
            throw S3ObjectStore.Translate(_uri, e, "writing object");
        }
        _filled = 0;
    }

    private async Task CopyPartAsync(Uri source, S3Address from, long first, long last, int partNumber, CancellationToken ct)
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
            }, ct).ConfigureAwait(false);
            lock (_parts)
            {
                _parts.Add(new PartETag { PartNumber = partNumber, ETag = response.ETag });
            }
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

    /// <summary>Grows the buffer (doubling, at most to a part) keeping what it holds; small objects stay small.</summary>
    private void Grow(int needed)
    {
        var grown = ArrayPool<byte>.Shared.Rent(Math.Min(_partSize, Math.Max(needed, Math.Max(64 * 1024, _buffer.Length * 2))));
        _buffer.AsSpan(0, _filled).CopyTo(grown);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = grown;
    }
}
