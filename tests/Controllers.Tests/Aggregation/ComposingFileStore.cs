using Coordinator.Data.Storage;

namespace Coordinator.Controllers.Tests.Aggregation;

/// <summary>
/// The file store, plus compositions recorded in memory with a tiny minimum part (so kilobyte results are "large"):
/// lets the aggregator's composed path run end to end in a unit test. The real S3 path is in Integration.Tests.
/// </summary>
internal sealed class ComposingFileStore(long minPartSize, int partSize) : IObjectStore
{
    private readonly FileObjectStore _files = new();

    public List<RecordingComposition> Compositions { get; } = [];

    /// <summary>Called after each read is opened (a test overwrites an object there, behind the open read).</summary>
    public Func<Uri, Task>? AfterOpen { get; set; }

    public Task<ObjectInfo?> HeadAsync(Uri uri, CancellationToken ct) => _files.HeadAsync(uri, ct);
    public IAsyncEnumerable<ObjectInfo> ListAsync(Uri prefix, CancellationToken ct) => _files.ListAsync(prefix, ct);
    public Task<Stream> OpenReadAsync(Uri uri, CancellationToken ct, long offset = 0, long? length = null) =>
        OpenReadIfMatchAsync(uri, null, ct, offset, length);

    public async Task<Stream> OpenReadIfMatchAsync(Uri uri, string? etag, CancellationToken ct, long offset = 0, long? length = null)
    {
        var stream = await _files.OpenReadIfMatchAsync(uri, etag, ct, offset, length);
        if (AfterOpen is { } hook)
        {
            await hook(uri);
        }
        return stream;
    }

    public Task<IObjectWriter> OpenWriteAsync(Uri uri, CancellationToken ct) => _files.OpenWriteAsync(uri, ct);
    public Task DeleteAsync(Uri uri, CancellationToken ct) => _files.DeleteAsync(uri, ct);

    public Task<IObjectComposition?> OpenCompositionAsync(Uri uri, CancellationToken ct)
    {
        var composition = new RecordingComposition(this, minPartSize, partSize, uri);
        Compositions.Add(composition);
        return Task.FromResult<IObjectComposition?>(composition);
    }
}
