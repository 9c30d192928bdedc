using System.Security.Cryptography;
using Coordinator.Data.Partitioning;

namespace Coordinator.Controllers.Tests.Partitioning;

/// <summary>The hand-off between writers and the hasher thread: nothing lost, nothing hashed twice, nobody left asleep.</summary>
public sealed class Sha256PipelineTests
{
    [Fact]
    public async Task Writers_on_several_threads_each_get_the_checksum_of_exactly_what_they_queued()
    {
        using var pipeline = new Sha256Pipeline();
        const int writers = 4;
        var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            var checks = new List<(string Expected, string Actual)>();
            for (var batch = 0; batch < 25; batch++)
            {
                var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var expected = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var borrowed = new byte[64 * 1024];
                var pieces = random.Next(1, 12);
                for (var piece = 0; piece < pieces; piece++)
                {
                    if (random.Next(2) == 0)
                    {
                        var chunk = pipeline.RentChunk();
                        var length = random.Next(1, chunk.Length);
                        random.NextBytes(chunk.AsSpan(0, length));
                        expected.AppendData(chunk, 0, length);
                        pipeline.Append(hash, chunk, length); // the chunk is the pipeline's from here
                    }
                    else
                    {
                        random.NextBytes(borrowed);
                        var length = random.Next(1, borrowed.Length);
                        expected.AppendData(borrowed, 0, length);
                        pipeline.WaitHashed(pipeline.AppendBorrowed(hash, borrowed, 0, length)); // then the buffer may change
                    }
                }
                checks.Add((Convert.ToHexStringLower(expected.GetHashAndReset()), await pipeline.FinishAsync(hash)));
                pipeline.Release(hash);
                expected.Dispose();
            }
            return checks;
        })));

        var all = results.SelectMany(r => r).ToList();
        Assert.Equal(writers * 25, all.Count);
        Assert.All(all, c => Assert.Equal(c.Expected, c.Actual));
    }

    [Fact]
    public async Task A_writer_far_ahead_of_the_hasher_waits_for_room_and_loses_nothing()
    {
        using var pipeline = new Sha256Pipeline();
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var data = new byte[40 * Sha256Pipeline.ChunkSize];
        new Random(7).NextBytes(data);
        for (var offset = 0; offset < data.Length; offset += Sha256Pipeline.ChunkSize)
        {
            var chunk = pipeline.RentChunk(); // more chunks than the ring holds: Append must wait for room
            data.AsSpan(offset, Sha256Pipeline.ChunkSize).CopyTo(chunk);
            pipeline.Append(hash, chunk, Sha256Pipeline.ChunkSize);
        }
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), await pipeline.FinishAsync(hash));
        pipeline.Release(hash);
    }

    [Fact]
    public async Task Dispose_finishes_the_queued_work_and_ends_the_thread()
    {
        var pipeline = new Sha256Pipeline();
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var data = new byte[3 * Sha256Pipeline.ChunkSize];
        new Random(3).NextBytes(data);
        pipeline.WaitHashed(pipeline.AppendBorrowed(hash, data, 0, data.Length));
        var finished = pipeline.FinishAsync(hash);
        pipeline.Dispose();

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), await finished);
        pipeline.Release(hash); // after dispose: disposed at once, not queued
        using var late = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Assert.ThrowsAny<InvalidOperationException>(() => pipeline.AppendBorrowed(late, data, 0, 1)); // ObjectDisposedException is one
        pipeline.Dispose(); // twice is fine
    }
}
