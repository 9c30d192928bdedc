
namespace Coordinator.Data.Storage;

/// <summary>
/// A read-only, seekable view of a stored object built on ranged reads, for formats that must seek (Parquet reads its
/// footer first, then column chunks). Each miss fetches at least <see cref="BlockSize"/> bytes with one ranged GET and
/// keeps only that block, so memory stays bounded whatever the object's size.
/// </summary>
public sealed class SeekableObjectStream(IObjectStore store, Uri uri, long length) : Stream
{
    /// <summary>Smallest ranged read: large enough that request count, not bytes, stays the minor cost.</summary>
    public const int BlockSize = 4 * 1024 * 1024;

    private byte[] _block = [];
    private long _blockStart = -1;
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => _position; set => _position = value; }

    /// <summary>Open <paramref name="uri"/> seekably: the store's own stream when it can seek, ranged reads otherwise.</summary>
    public static async Task<Stream> OpenAsync(IObjectStore store, Uri uri, long length, CancellationToken ct)
    {
        var direct = await store.OpenReadAsync(uri, ct).ConfigureAwait(false);
        if (direct.CanSeek)
            return direct;
        await direct.DisposeAsync().ConfigureAwait(false);
        return new SeekableObjectStream(store, uri, length);
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= length || buffer.IsEmpty)
            return 0;
        if (_blockStart < 0 || _position < _blockStart || _position >= _blockStart + _block.Length)
            await FetchAsync(_position, buffer.Length, cancellationToken).ConfigureAwait(false);
        var from = (int)(_position - _blockStart);
        var n = Math.Min(buffer.Length, _block.Length - from);
        _block.AsSpan(from, n).CopyTo(buffer.Span);
        _position += n;
        return n;
    }

    private async Task FetchAsync(long start, int wanted, CancellationToken ct)
    {
        var size = (int)Math.Min(Math.Max(wanted, BlockSize), length - start);
        var block = new byte[size];
        await using (var range = await store.OpenReadAsync(uri, ct, start, size).ConfigureAwait(false))
            await range.ReadExactlyAsync(block, ct).ConfigureAwait(false);
        _block = block;
        _blockStart = start;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return _position;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
