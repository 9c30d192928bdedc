using System.Security.Cryptography;
using Coordinator.Data.Partitioning;

namespace Coordinator.Controllers.Tests.Partitioning;

public sealed class HashingStreamTests : IDisposable
{
    private readonly Sha256Pipeline _hasher = new();

    public void Dispose() => _hasher.Dispose();

    private static byte[] Data(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Theory]
    [InlineData(0, 1000, false)]
    [InlineData(10, 3, false)]
    [InlineData(Sha256Pipeline.ChunkSize - 1, 4096, false)]
    [InlineData(Sha256Pipeline.ChunkSize, 1, false)]
    [InlineData(5 * Sha256Pipeline.ChunkSize + 17, 300_000, false)]
    [InlineData(5 * Sha256Pipeline.ChunkSize + 17, 3 * Sha256Pipeline.ChunkSize, true)]
    [InlineData(2 * Sha256Pipeline.ChunkSize + 5, 777, true)]
    public async Task The_checksum_and_the_bytes_written_match_the_input_whatever_the_write_sizes(int length, int writeSize, bool async)
    {
        var data = Data(length, length);
        using var target = new MemoryStream();
        using var stream = new HashingStream(target, _hasher);
        for (var offset = 0; offset < length; offset += writeSize)
        {
            var n = Math.Min(writeSize, length - offset);
            if (async)
                await stream.WriteAsync(data.AsMemory(offset, n));
            else
                stream.Write(data, offset, n);
        }
        await stream.FlushAsync();

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), await stream.Sha256HexAsync());
        Assert.Equal(data, target.ToArray());
        Assert.Equal(length, stream.Length);
    }

    [Fact]
    public async Task Many_streams_sharing_one_pipeline_each_get_their_own_checksum()
    {
        var inputs = Enumerable.Range(0, 12).Select(i => Data(i * 400_000 + 1, i)).ToList();
        var streams = inputs.Select(_ => new HashingStream(Stream.Null, _hasher)).ToList();
        for (var offset = 0; offset < inputs[^1].Length; offset += 250_000)
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                if (offset < inputs[i].Length)
                    streams[i].Write(inputs[i], offset, Math.Min(250_000, inputs[i].Length - offset));
            }
        }
        for (var i = 0; i < inputs.Count; i++)
        {
            await streams[i].FlushAsync();
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(inputs[i])), await streams[i].Sha256HexAsync());
            await streams[i].DisposeAsync();
        }
    }

    [Fact]
    public async Task A_stream_disposed_with_chunks_still_queued_does_not_disturb_the_pipeline()
    {
        var abandoned = new HashingStream(Stream.Null, _hasher);
        abandoned.Write(Data(4 * Sha256Pipeline.ChunkSize, 1));
        await abandoned.DisposeAsync();

        var data = Data(3 * Sha256Pipeline.ChunkSize + 9, 2);
        using var next = new HashingStream(Stream.Null, _hasher);
        next.Write(data);
        await next.FlushAsync();
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), await next.Sha256HexAsync());
    }
}
