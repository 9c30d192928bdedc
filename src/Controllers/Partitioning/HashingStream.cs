using System.Buffers;
using System.Security.Cryptography;

namespace Coordinator.Controllers.Partitioning;

/// <summary>
/// Write-only stream that computes the sha256 and length of everything written, and coalesces small writes into
/// 1 MiB blocks before they reach the target (one syscall or S3 buffer copy per block, not per record). Large writes
/// bypass the staging buffer. The target may be <see cref="Stream.Null"/> when only the checksum is wanted (a batch
/// that already exists when a partition resumes).
/// </summary>
public sealed class HashingStream(Stream target) : Stream
{
    private const int StagingSize = 1024 * 1024;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[] _staging = ArrayPool<byte>.Shared.Rent(StagingSize);
    private int _staged;
    private long _length;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.AppendData(buffer);
        _length += buffer.Length;
        if (_staged + buffer.Length <= StagingSize)
        {
            buffer.CopyTo(_staging.AsSpan(_staged));
            _staged += buffer.Length;
            return;
        }
        FlushStaging();
        if (buffer.Length >= StagingSize)
        {
            target.Write(buffer);
            return;
        }
        buffer.CopyTo(_staging);
        _staged = buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_staged + buffer.Length <= StagingSize)
        {
            _hash.AppendData(buffer.Span);
            _length += buffer.Length;
            buffer.Span.CopyTo(_staging.AsSpan(_staged));
            _staged += buffer.Length;
            return ValueTask.CompletedTask;
        }
        return WriteSlowAsync(buffer, cancellationToken);
    }

    private async ValueTask WriteSlowAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct)
    {
        if (target is FileStream)
        {
            // Local files are written synchronously: FileStream's async writes on Linux are thread-pool hops that cost
            // more than the page-cache copy itself.
            Write(buffer.Span);
            return;
        }
        _hash.AppendData(buffer.Span);
        _length += buffer.Length;
        await FlushStagingAsync(ct).ConfigureAwait(false);
        if (buffer.Length >= StagingSize)
        {
            await target.WriteAsync(buffer, ct).ConfigureAwait(false);
            return;
        }
        buffer.Span.CopyTo(_staging);
        _staged = buffer.Length;
    }

    /// <summary>Lower-case hex sha256 of everything written so far; call once, after the last write.</summary>
    public string Sha256Hex() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public override void Flush()
    {
        FlushStaging();
        target.Flush();
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (target is FileStream)
        {
            Flush();
            return;
        }
        await FlushStagingAsync(cancellationToken).ConfigureAwait(false);
        await target.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private void FlushStaging()
    {
        if (_staged == 0)
            return;
        target.Write(_staging, 0, _staged);
        _staged = 0;
    }

    private async ValueTask FlushStagingAsync(CancellationToken ct)
    {
        if (_staged == 0)
            return;
        await target.WriteAsync(_staging.AsMemory(0, _staged), ct).ConfigureAwait(false);
        _staged = 0;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _staging.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_staging);
            _staging = [];
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
