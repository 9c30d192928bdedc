using System.Security.Cryptography;

namespace Coordinator.Data.Partitioning;

/// <summary>
/// Write-only stream that computes the sha256 and length of everything written, and coalesces writes into 1 MiB
/// chunks before they reach the target (one syscall or S3 buffer copy per chunk, not per record). Each full chunk is
/// written to the target and then handed to the <see cref="Sha256Pipeline"/>, which hashes it on its own thread while
/// this one goes on reading and writing; a batch that never fills a chunk is hashed inline (a hand-off would cost more
/// than the hash). The target may be <see cref="Stream.Null"/> when only the checksum is wanted (a batch that already
/// exists when a partition resumes).
/// </summary>
public sealed class HashingStream(Stream target, Sha256Pipeline hasher) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[] _chunk = hasher.RentChunk();
    private int _staged;
    private long _length;
    private bool _handedOff, _released;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _length += buffer.Length;
        while (!buffer.IsEmpty)
        {
            var n = Math.Min(buffer.Length, _chunk.Length - _staged);
            buffer[..n].CopyTo(_chunk.AsSpan(_staged));
            _staged += n;
            buffer = buffer[n..];
            if (_staged == _chunk.Length)
            {
                target.Write(_chunk, 0, _staged);
                HandOff();
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_staged + buffer.Length < _chunk.Length || target is FileStream)
        {
            // Local files are written synchronously: FileStream's async writes on Linux are thread-pool hops that cost
            // more than the page-cache copy itself.
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
        return WriteSlowAsync(buffer, cancellationToken);
    }

    private async ValueTask WriteSlowAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct)
    {
        _length += buffer.Length;
        while (!buffer.IsEmpty)
        {
            var n = Math.Min(buffer.Length, _chunk.Length - _staged);
            buffer.Span[..n].CopyTo(_chunk.AsSpan(_staged));
            _staged += n;
            buffer = buffer[n..];
            if (_staged == _chunk.Length)
            {
                await target.WriteAsync(_chunk.AsMemory(0, _staged), ct).ConfigureAwait(false);
                HandOff();
            }
        }
    }

    /// <summary>Runs shorter than this are copied into the chunk; longer ones are written and hashed from the caller's buffer.</summary>
    public const int BorrowMinBytes = 64 * 1024;

    /// <summary>
    /// Write a run the caller keeps ownership of, without copying it: it goes to the target straight from
    /// <paramref name="array"/> and is hashed from there in the background. Returns the pipeline sequence number the
    /// caller must pass to <see cref="Sha256Pipeline.WaitHashed"/> before changing those bytes (0: they were copied).
    /// </summary>
    public async ValueTask<long> WriteBorrowedAsync(byte[] array, int offset, int count, CancellationToken ct)
    {
        if (count < BorrowMinBytes)
        {
            await WriteAsync(array.AsMemory(offset, count), ct).ConfigureAwait(false);
            return 0;
        }
        var sync = target is FileStream || target == Null;
        if (_staged > 0)
        {
            if (sync)
                target.Write(_chunk, 0, _staged);
            else
                await target.WriteAsync(_chunk.AsMemory(0, _staged), ct).ConfigureAwait(false);
            Staged();
        }
        if (sync)
            target.Write(array, offset, count);
        else
            await target.WriteAsync(array.AsMemory(offset, count), ct).ConfigureAwait(false);
        _length += count;
        _handedOff = true;
        return hasher.AppendBorrowed(_hash, array, offset, count);
    }

    /// <summary>The full chunk has reached the target: hash it in the background and stage into a fresh one.</summary>
    private void HandOff()
    {
        hasher.Append(_hash, _chunk, _staged);
        _handedOff = true;
        _chunk = hasher.RentChunk();
        _staged = 0;
    }

    /// <summary>Lower-case hex sha256 of everything written; call once, after the last write and a flush.</summary>
    public Task<string> Sha256HexAsync()
    {
        if (_handedOff)
            return hasher.FinishAsync(_hash);
        return Task.FromResult(Convert.ToHexStringLower(_hash.GetHashAndReset()));
    }

    public override void Flush()
    {
        FlushStaged();
        target.Flush();
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (target is FileStream)
        {
            Flush();
            return;
        }
        if (_staged > 0)
        {
            await target.WriteAsync(_chunk.AsMemory(0, _staged), cancellationToken).ConfigureAwait(false);
            Staged();
        }
        await target.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private void FlushStaged()
    {
        if (_staged == 0)
            return;
        target.Write(_chunk, 0, _staged);
        Staged();
    }

    /// <summary>A partial chunk was written to the target: hash it now if nothing went to the pipeline, else queue it behind the rest.</summary>
    private void Staged()
    {
        if (_handedOff)
        {
            HandOff();
            return;
        }
        _hash.AppendData(_chunk, 0, _staged);
        _staged = 0;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_released)
        {
            _released = true;
            hasher.ReturnChunk(_chunk);
            _chunk = [];
            if (_handedOff)
                hasher.Release(_hash); // the hasher may still be reading it
            else
                _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
