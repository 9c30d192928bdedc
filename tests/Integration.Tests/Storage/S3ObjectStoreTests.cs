using System.Security.Cryptography;
using Amazon.S3.Model;
using Coordinator.Aws.S3;
using Coordinator.Data.Storage;
using Coordinator.Integration.Tests.Fixtures;

namespace Coordinator.Integration.Tests.Storage;

/// <summary>The S3 adapter against moto over loopback: multipart, ranged reads, paged listing, error mapping.</summary>
[Collection(LocalStackCollection.Name)]
public sealed class S3ObjectStoreTests(LocalStackFixture fixture) : IAsyncLifetime
{
    private ProvisionedStack _stack = null!;
    private S3ObjectStore _store = null!;

    public async Task InitializeAsync()
    {
        _stack = await fixture.ProvisionAsync();
        _store = new S3ObjectStore(_stack.S3, partSize: 5 * 1024 * 1024);
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private Uri Key(string key) => S3Address.ToUri(_stack.Options.Bucket, key);

    private async Task PutAsync(Uri uri, byte[] data)
    {
        await using var writer = await _store.OpenWriteAsync(uri, CancellationToken.None);
        await writer.Stream.WriteAsync(data);
        await writer.CommitAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_large_object_goes_up_in_parts_and_reads_back_whole_and_by_range()
    {
        var data = RandomNumberGenerator.GetBytes(12 * 1024 * 1024 + 123); // three parts of 5 MiB
        var uri = Key("big/object with space#1.bin");
        await PutAsync(uri, data);

        var head = await _store.HeadAsync(uri, CancellationToken.None);
        Assert.Equal(data.Length, head!.Size);
        await using (var all = await _store.OpenReadAsync(uri, CancellationToken.None))
        using (var copy = new MemoryStream())
        {
            await all.CopyToAsync(copy);
            Assert.Equal(SHA256.HashData(data), SHA256.HashData(copy.ToArray()));
        }
        await using var range = await _store.OpenReadAsync(uri, CancellationToken.None, 6_000_000, 1000);
        var part = new byte[1000];
        await range.ReadExactlyAsync(part);
        Assert.Equal(data.AsSpan(6_000_000, 1000).ToArray(), part);
    }

    [Fact]
    public async Task A_writer_disposed_without_commit_leaves_no_object_and_no_open_upload()
    {
        var uri = Key("abandoned.bin");
        await using (var writer = await _store.OpenWriteAsync(uri, CancellationToken.None))
            await writer.Stream.WriteAsync(new byte[11 * 1024 * 1024]); // two parts shipped, never completed
        Assert.Null(await _store.HeadAsync(uri, CancellationToken.None));
        var uploads = await _stack.S3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = _stack.Options.Bucket });
        Assert.Empty(uploads.MultipartUploads ?? []);
    }

    [Fact]
    public async Task Listing_pages_past_1000_keys_in_lexicographic_order()
    {
        var keys = Enumerable.Range(0, 1010).Select(i => $"many/k{i}").ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (k, ct) => await PutAsync(Key(k), [1]));
        var listed = new List<string>();
        await foreach (var o in _store.ListAsync(Key("many/"), CancellationToken.None))
            listed.Add(S3Address.Parse(o.Uri).Key);
        Assert.Equal(keys.Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task Missing_objects_and_buckets_are_not_found_errors_naming_the_uri()
    {
        var missing = Key("nope.jsonl");
        Assert.Null(await _store.HeadAsync(missing, CancellationToken.None));
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => _store.OpenReadAsync(missing, CancellationToken.None));
        Assert.Equal(ObjectStoreErrorKind.NotFound, e.Kind);
        Assert.Contains(missing.ToString(), e.Message);

        var noBucket = S3Address.ToUri("no-such-bucket-" + Guid.NewGuid().ToString("N")[..8], "x/");
        var listing = await Assert.ThrowsAsync<ObjectStoreException>(async () =>
        {
            await foreach (var _ in _store.ListAsync(noBucket, CancellationToken.None))
            {
            }
        });
        Assert.Equal(ObjectStoreErrorKind.NotFound, listing.Kind);
    }
}
