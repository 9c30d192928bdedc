using System.Buffers;
using Amazon.S3;
using Amazon.S3.Model;

namespace Coordinator.Aws.S3;

/// <summary>
/// Write-only stream that turns into one S3 object. Bytes fill a part-sized buffer; each full buffer is uploaded as a
/// multipart part while the next one fills (at most one part in flight, so memory is two parts). An object smaller than
/// one part is sent with a single PutObject at completion, which costs one request instead of three: on moto and on S3
/// the request count matters more than the bytes. Nothing is visible until <see cref="CompleteAsync"/>; an abandoned
/// multipart upload is aborted so no parts are left billed. The buffer starts small and grows to a part only as bytes
/// arrive, so many small uploads in flight at once (the store commits tiny batches in parallel) stay small.
/// <para>
/// <see cref="CopyAsync(Uri, long, long, CancellationToken)"/> adds parts copied inside S3 from ranges of other objects (UploadPartCopy, up to four at
/// once), for <see cref="S3ObjectComposition"/>: part numbers are taken in call order, so the object's bytes are in
/// call order whatever order the copies finish in.
/// </para>
/// </summary>
public sealed partial class S3UploadStream : Stream
{
    /// <summary>8 MiB: above S3's 5 MiB minimum part size, and 10,000 parts still allow objects of 78 GiB.</summary>
    public const int DefaultPartSize = 8 * 1024 * 1024;
    /// <summary>S3's smallest part, except the last.</summary>
    public const int MinPartSize = 5 * 1024 * 1024;
    /// <summary>S3's largest UploadPartCopy range.</summary>
    public const long MaxCopyPartSize = 5L * 1024 * 1024 * 1024;
    private const int InitialBufferSize = 64 * 1024;

    private readonly IAmazonS3 _s3;
    private readonly Uri _uri;
    private readonly S3Address _location;
    private readonly int _partSize;
    private readonly List<PartETag> _parts = [];
    private readonly List<Task> _copies = [];
    private readonly List<(Uri Source, S3Address From, string ETag)> _conditionalSources = [];
    private readonly SemaphoreSlim _copySlots = new(4);
    private byte[] _buffer;
    private byte[] _spare;
    private int _filled;
    private long _length;
    private string? _uploadId;
    private Task? _inFlight;
    private int _partsStarted;
    private bool _completed;

    public S3UploadStream(IAmazonS3 s3, Uri uri, S3Address location, int partSize = DefaultPartSize)
    {
        _s3 = s3;
        _uri = uri;
        _location = location;
        _partSize = Math.Max(partSize, MinPartSize);
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(_partSize, InitialBufferSize));
        _spare = [];
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }

    /// <summary>Bytes written and not yet shipped as a part.</summary>
    public long Buffered => _filled;

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var copy = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            buffer.CopyTo(copy);
            WriteAsync(copy.AsMemory(0, buffer.Length)).AsTask().GetAwaiter().GetResult();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        while (!buffer.IsEmpty)
        {
            var n = Math.Min(buffer.Length, _partSize - _filled);
            if (_filled + n > _buffer.Length)
                Grow(_filled + n);
            buffer.Span[..n].CopyTo(_buffer.AsSpan(_filled));
            _filled += n;
            _length += n;
            buffer = buffer[n..];
            if (_filled == _partSize)
                await ShipPartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The ETag S3 gave the object once <see cref="CompleteAsync"/> made it visible.</summary>
    public string? ETag { get; private set; }

    /// <summary>Upload what was written and make the object visible.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        try
        {
            if (_uploadId is null)
            {
                using var body = new MemoryStream(_buffer, 0, _filled, writable: false);
                var put = await _s3.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = _location.Bucket,
                    Key = _location.Key,
                    InputStream = body,
                    AutoCloseStream = false,
                }, ct).ConfigureAwait(false);
                ETag = put.ETag;
            }
            else
            {
                if (_filled > 0)
                    await ShipPartAsync(ct).ConfigureAwait(false);
                if (_inFlight is not null)
                    await _inFlight.ConfigureAwait(false);
                await Task.WhenAll(_copies).ConfigureAwait(false);
                await CheckCopiedVersionsAsync(ct).ConfigureAwait(false);
                var done = await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
                {
                    BucketName = _location.Bucket,
                    Key = _location.Key,
                    UploadId = _uploadId,
                    PartETags = Parts(),
                }, ct).ConfigureAwait(false);
                ETag = done.ETag;
            }
            _completed = true;
        }
        catch (AmazonS3Exception e)
        {
            throw S3ObjectStore.Translate(_uri, e, "writing object");
        }
    }

    /// <summary>Abort a started multipart upload that was never completed (the writer was disposed without commit).</summary>
    public async Task AbortIfIncompleteAsync()
    {
        if (_completed || _uploadId is null)
            return;
        try
        {
            if (_inFlight is not null)
                await _inFlight.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The part failed; the abort below still releases the upload.
        }
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
        _completed = true;
    }

    /// <summary>Doubles the buffer (at least to <paramref name="needed"/>, at most to a part), keeping what it holds.</summary>
    private void Grow(int needed)
    {
        var grown = ArrayPool<byte>.Shared.Rent(Math.Min(_partSize, Math.Max(needed, _buffer.Length * 2)));
        _buffer.AsSpan(0, _filled).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = grown;
    }

    private async Task StartUploadAsync(CancellationToken ct)
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
    }

    private async Task ShipPartAsync(CancellationToken ct)
    {
        await StartUploadAsync(ct).ConfigureAwait(false);
        try
        {
            if (_inFlight is not null)
                await _inFlight.ConfigureAwait(false);
        }
        catch (AmazonS3Exception e)
        {
            throw S3ObjectStore.Translate(_uri, e, "writing object");
        }
        if (_spare.Length < _partSize)
        {
            if (_spare.Length > 0)
                ArrayPool<byte>.Shared.Return(_spare);
            _spare = ArrayPool<byte>.Shared.Rent(_partSize);
        }
        (_buffer, _spare) = (_spare, _buffer);
        _inFlight = UploadPartAsync(_spare, _filled, ++_partsStarted, ct);
        _filled = 0;
    }

    private async Task UploadPartAsync(byte[] data, int count, int partNumber, CancellationToken ct)
    {
        using var body = new MemoryStream(data, 0, count, writable: false);
        var response = await _s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = _location.Bucket,
            Key = _location.Key,
            UploadId = _uploadId,
            PartNumber = partNumber,
            InputStream = body,
            PartSize = count,
        }, ct).ConfigureAwait(false);
        AddPart(partNumber, response.ETag);
    }

    /// <summary>Parts finish in any order (uploads and copies overlap); <see cref="Parts"/> sorts them.</summary>
    private void AddPart(int partNumber, string eTag)
    {
        lock (_parts)
            _parts.Add(new PartETag { PartNumber = partNumber, ETag = eTag });
    }

    private List<PartETag> Parts()
    {
        lock (_parts)
            return [.. _parts.OrderBy(p => p.PartNumber)];
    }

    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            if (_spare.Length > 0)
                ArrayPool<byte>.Shared.Return(_spare);
            _buffer = [];
            _spare = [];
        }
        if (disposing)
            _copySlots.Dispose();
        base.Dispose(disposing);
    }
}
