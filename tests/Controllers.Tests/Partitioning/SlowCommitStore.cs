using Coordinator.Data.Storage;

namespace Coordinator.Controllers.Tests.Partitioning;

/// <summary>
/// An object store whose commits take <paramref name="delay"/> (as a PutObject round trip does), counting how many
/// run at once; a commit of a key containing <see cref="FailKey"/> throws, as a lost connection would.
/// </summary>
internal sealed class SlowCommitStore(IObjectStore inner, TimeSpan delay) : IObjectStore
{
    private readonly TimeSpan _delay = delay;
    private int _running;
    private int _most;

    public int MostAtOnce => Volatile.Read(ref _most);
    public string? FailKey { get; set; }

    public Task<ObjectInfo?> HeadAsync(Uri uri, CancellationToken ct) => inner.HeadAsync(uri, ct);
    public IAsyncEnumerable<ObjectInfo> ListAsync(Uri prefix, CancellationToken ct) => inner.ListAsync(prefix, ct);
    public Task<Stream> OpenReadAsync(Uri uri, CancellationToken ct, long offset = 0, long? length = null) => inner.OpenReadAsync(uri, ct, offset, length);
    public Task DeleteAsync(Uri uri, CancellationToken ct) => inner.DeleteAsync(uri, ct);

    public async Task<IObjectWriter> OpenWriteAsync(Uri uri, CancellationToken ct) =>
        new Writer(this, uri, await inner.OpenWriteAsync(uri, ct));

    private sealed class Writer(SlowCommitStore owner, Uri uri, IObjectWriter inner) : IObjectWriter
    {
        public Stream Stream => inner.Stream;

        public async Task CommitAsync(CancellationToken ct)
        {
            var now = Interlocked.Increment(ref owner._running);
            int most;
            while (now > (most = Volatile.Read(ref owner._most)) && Interlocked.CompareExchange(ref owner._most, now, most) != most)
            {
            }
            try
            {
                await Task.Delay(owner._delay, ct);
                if (owner.FailKey is { } fail && uri.ToString().Contains(fail, StringComparison.Ordinal))
                    throw new IOException($"connection reset committing {uri}");
                await inner.CommitAsync(ct);
            }
            finally
            {
                Interlocked.Decrement(ref owner._running);
            }
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
