using Coordinator.Data.Storage;

namespace Coordinator.Data.Partitioning;

/// <summary>
/// The object store the format readers see during a partition pass with a <see cref="PartitionProgressHook"/>:
/// every stream opened for reading counts its bytes into the hook; everything else goes straight through.
/// </summary>
internal sealed class CountingReadStore(IObjectStore inner, PartitionProgressHook hook) : IObjectStore
{
    public Task<ObjectInfo?> HeadAsync(Uri uri, CancellationToken ct) => inner.HeadAsync(uri, ct);
    public IAsyncEnumerable<ObjectInfo> ListAsync(Uri prefix, CancellationToken ct) => inner.ListAsync(prefix, ct);
    public Task<IObjectWriter> OpenWriteAsync(Uri uri, CancellationToken ct) => inner.OpenWriteAsync(uri, ct);
    public Task DeleteAsync(Uri uri, CancellationToken ct) => inner.DeleteAsync(uri, ct);

    public async Task<Stream> OpenReadAsync(Uri uri, CancellationToken ct, long offset = 0, long? length = null) =>
        new CountingStream(await inner.OpenReadAsync(uri, ct, offset, length).ConfigureAwait(false), hook);

    private sealed class CountingStream(Stream inner, PartitionProgressHook hook) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));
        public override int Read(Span<byte> buffer) => Counted(inner.Read(buffer));

        // A local file is read synchronously, as the readers do with a bare FileStream (async file reads are thread-pool hops).
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(inner is FileStream file ? file.Read(buffer.Span) : await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }

        private int Counted(int read)
        {
            if (read > 0)
                hook.AddBytes(read);
            return read;
        }
    }
}
