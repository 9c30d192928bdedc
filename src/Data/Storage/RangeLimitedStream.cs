namespace Coordinator.Data.Storage;

/// <summary>Read-only view of the next <c>length</c> bytes of an inner stream (a ranged read of a file).</summary>
internal sealed class RangeLimitedStream(Stream inner, long rangeLength) : ReadOnlyWrapperStream(inner)
{
    private readonly long _length = rangeLength;
    private long _remaining = rangeLength;

    public override long Length => _length;
    public override long Position { get => _length - _remaining; set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0)
            return 0;
        var n = Inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining <= 0)
            return 0;
        var n = await Inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        _remaining -= n;
        return n;
    }
}
