namespace Coordinator.Controllers.Formats;

/// <summary>
/// Read-only wrapper over a decompressing gzip stream that turns corrupt data into an
/// <see cref="InputFormatException"/> and, at the end, checks the decompressed size against the trailer's ISIZE:
/// a truncated object decompresses to fewer bytes than its (missing) trailer promised. Limitation: a multi-member gzip
/// (as written by bgzip) is checked against its last member's ISIZE, so it is refused as truncated unless it is
/// recompressed as one member.
/// </summary>
internal sealed class GzipCheckedStream(Stream inner, uint expectedSizeMod32, string source) : Stream
{
    private long _total;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _total; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = inner.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(e);
        }
        return Account(n, buffer.IsEmpty);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        try
        {
            n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(e);
        }
        return Account(n, buffer.IsEmpty);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Account(int n, bool emptyRequest)
    {
        _total += n;
        if (n == 0 && !emptyRequest && (uint)_total != expectedSizeMod32)
            throw new InputFormatException(InputErrorReasons.CorruptCompression, source, $"after {_total} decompressed bytes",
                $"gzip stream is truncated (the trailer promises {expectedSizeMod32} bytes mod 2^32)");
        return n;
    }

    private InputFormatException Corrupt(InvalidDataException e) =>
        new(InputErrorReasons.CorruptCompression, source, $"after {_total} decompressed bytes", $"corrupt gzip data: {e.Message}", e);

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
