using Coordinator.Data.Storage;

namespace Coordinator.Controllers.Tests.Aggregation;

/// <summary>
/// An <see cref="IObjectComposition"/> that keeps its parts in memory, resolving copies by reading the source range
/// from a real store, and enforces the part-size rule (every part but the last at least <see cref="MinPartSize"/>), so
/// the aggregator's part plan is checked without S3. S3 itself is in Integration.Tests/Aggregation.
/// </summary>
internal sealed class RecordingComposition(IObjectStore store, long minPartSize, int partSize, Uri? destination = null) : IObjectComposition
{
    private readonly MemoryStream _buffer = new();

    public List<(string Kind, long Length)> Parts { get; } = [];
    public List<byte[]> PartBytes { get; } = [];
    public byte[]? Committed { get; private set; }
    public long MinPartSize => minPartSize;
    public long Buffered => _buffer.Length;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        while (!bytes.IsEmpty)
        {
            var n = (int)Math.Min(bytes.Length, partSize - _buffer.Length);
            await _buffer.WriteAsync(bytes[..n], ct);
            bytes = bytes[n..];
            if (_buffer.Length == partSize)
            {
                Ship();
            }
        }
    }

    public Task CopyAsync(Uri source, long offset, long length, CancellationToken ct) => CopyAsync(source, null, offset, length, ct);

    /// <summary>Resolves the copy with a read conditional on the source's version, as S3's x-amz-copy-source-if-match does.</summary>
    public async Task CopyAsync(Uri source, string? sourceETag, long offset, long length, CancellationToken ct)
    {
        if (_buffer.Length > 0)
        {
            Assert.True(_buffer.Length >= minPartSize, $"a {_buffer.Length}-byte part before a copy");
            Ship();
        }
        await using var range = await store.OpenReadIfMatchAsync(source, sourceETag, ct, offset, length);
        using var copy = new MemoryStream();
        await range.CopyToAsync(copy, ct);
        Parts.Add(("copy", length));
        PartBytes.Add(copy.ToArray());
    }

    public async Task CommitAsync(CancellationToken ct)
    {
        if (_buffer.Length > 0)
        {
            Ship();
        }
        for (var i = 0; i < Parts.Count - 1; i++)
        {
            Assert.True(Parts[i].Length >= minPartSize, $"part {i + 1} of {Parts.Count} is {Parts[i].Length} bytes ({Parts[i].Kind})");
        }
        Committed = [.. PartBytes.SelectMany(p => p)];
        if (destination is not null)
        {
            await using var writer = await store.OpenWriteAsync(destination, ct);
            await writer.Stream.WriteAsync(Committed, ct);
            await writer.CommitAsync(ct);
        }
    }

    public ValueTask DisposeAsync() => _buffer.DisposeAsync();

    private void Ship()
    {
        Parts.Add(("bytes", _buffer.Length));
        PartBytes.Add(_buffer.ToArray());
        _buffer.SetLength(0);
    }
}
