using Coordinator.Data.Storage;

namespace Coordinator.Controllers.Tests.Storage;

public sealed class FileObjectStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "coord-fs-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly FileObjectStore _store = new();

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    private Uri At(string relative) => new(Path.Combine(_dir, relative));

    [Fact]
    public async Task An_uncommitted_write_is_invisible_and_leaves_nothing_behind()
    {
        await using (var writer = await _store.OpenWriteAsync(At("a/x.jsonl"), CancellationToken.None))
        {
            await writer.Stream.WriteAsync("{}\n"u8.ToArray());
            Assert.Null(await _store.HeadAsync(At("a/x.jsonl"), CancellationToken.None));
        }
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "a")));
    }

    [Fact]
    public async Task A_committed_write_appears_whole_and_read_only()
    {
        await using (var writer = await _store.OpenWriteAsync(At("x.jsonl"), CancellationToken.None))
        {
            await writer.Stream.WriteAsync("{\"a\":1}\n"u8.ToArray());
            await writer.CommitAsync(CancellationToken.None);
        }
        Assert.Equal(8, (await _store.HeadAsync(At("x.jsonl"), CancellationToken.None))!.Size);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(At("x.jsonl").LocalPath));
        await using var range = await _store.OpenReadAsync(At("x.jsonl"), CancellationToken.None, 2, 3);
        Assert.Equal("a\":", await new StreamReader(range).ReadToEndAsync());
    }

    [Fact]
    public async Task Listing_follows_s3_prefix_semantics_in_ordinal_order_without_temp_files()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "in", "sub"));
        foreach (var name in new[] { "in/b.jsonl", "in/a.jsonl", "in/sub/c.jsonl", "in/B.jsonl", "input.jsonl", "other.jsonl" })
            File.WriteAllText(Path.Combine(_dir, name), "{}\n");
        File.WriteAllText(Path.Combine(_dir, "in", $".z.jsonl{FileObjectStore.TempMarker}123"), "partial");

        var all = new List<string>();
        await foreach (var o in _store.ListAsync(At("in"), CancellationToken.None))
            all.Add(Path.GetRelativePath(_dir, o.Uri.LocalPath));
        Assert.Equal(["in/B.jsonl", "in/a.jsonl", "in/b.jsonl", "in/sub/c.jsonl", "input.jsonl"], all);

        var dirOnly = new List<string>();
        await foreach (var o in _store.ListAsync(new Uri(Path.Combine(_dir, "in") + "/"), CancellationToken.None))
            dirOnly.Add(Path.GetRelativePath(_dir, o.Uri.LocalPath));
        Assert.Equal(4, dirOnly.Count);
    }

    [Fact]
    public async Task Reading_a_missing_file_is_a_not_found_error_naming_the_uri()
    {
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => _store.OpenReadAsync(At("none.jsonl"), CancellationToken.None));
        Assert.Equal(ObjectStoreErrorKind.NotFound, e.Kind);
        Assert.Contains("none.jsonl", e.Message);
    }
}
