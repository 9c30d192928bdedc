using System.Security.Cryptography;
using Coordinator.Data.Formats;
using Coordinator.Data.Partitioning;

namespace Coordinator.Controllers.Tests.Formats;

public sealed class ReadBufferPairTests : IDisposable
{
    private readonly Sha256Pipeline _hasher = new();

    public void Dispose() => _hasher.Dispose();

    /// <summary>Keeps the hasher thread busy, so borrowed bytes are still queued when the reader wants its buffer back.</summary>
    private void Backlog()
    {
        var busy = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var i = 0; i < 6; i++)
            _hasher.Append(busy, _hasher.RentChunk(), Sha256Pipeline.ChunkSize);
        _hasher.Release(busy);
    }

    [Fact]
    public async Task A_buffer_is_handed_back_for_writing_only_after_the_bytes_borrowed_from_it_are_hashed()
    {
        using var buffers = new ReadBufferPair(_hasher, 1 << 20);
        var first = buffers.Current;
        Random.Shared.NextBytes(first);
        var expected = Convert.ToHexStringLower(SHA256.HashData(first.AsSpan(0, 900_000)));
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        Backlog();
        buffers.Borrowed(_hasher.AppendBorrowed(hash, first, 0, 900_000));
        var second = buffers.MoveTail(900_000, 1_000_000); // the other buffer: no wait needed
        Assert.NotSame(first, second);
        Assert.Equal(first.AsSpan(900_000, 100_000).ToArray(), second.AsSpan(0, 100_000).ToArray());

        var again = buffers.MoveTail(100_000, 100_000); // back to the first buffer: waits for its borrowed bytes
        Assert.Same(first, again);
        Array.Clear(first); // the reader may now overwrite it
        Assert.Equal(expected, await _hasher.FinishAsync(hash));
        _hasher.Release(hash);
    }

    [Fact]
    public void A_tail_too_large_for_half_the_other_buffer_moves_in_place_after_waiting()
    {
        using var buffers = new ReadBufferPair(_hasher, 1 << 20);
        var current = buffers.Current;
        for (var i = 0; i < current.Length; i++)
            current[i] = (byte)i;
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Backlog();
        buffers.Borrowed(_hasher.AppendBorrowed(hash, current, 0, 100));

        var moved = buffers.MoveTail(100, 800_000);

        Assert.Same(current, moved);
        Assert.Equal(100, moved[0]);
        _hasher.Release(hash);
    }

    [Fact]
    public void Growing_keeps_the_bytes_in_use()
    {
        using var buffers = new ReadBufferPair(_hasher, 1 << 20);
        buffers.Current[0] = 7;
        buffers.Current[999] = 9;
        var grown = buffers.Grow(3 << 20, 1000);
        Assert.Equal(3 << 20, grown.Length);
        Assert.Equal(7, grown[0]);
        Assert.Equal(9, grown[999]);
        Assert.Same(grown, buffers.Current);
    }
}
