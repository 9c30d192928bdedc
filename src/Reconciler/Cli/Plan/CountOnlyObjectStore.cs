using System.Runtime.CompilerServices;
using Coordinator.Data.Storage;

namespace Coordinator.Reconciler.Cli.Plan;

/// <summary>
/// The object store `coordinator plan` partitions into: reads of the input go to the real store, while everything
/// under <see cref="Root"/> (where the plan's batches and manifest would go) is answered here — nothing exists
/// there, and writes are thrown away — so the real Partitioner, format readers and BatchCutter cut the input
/// exactly as the daemon would, and nothing is uploaded. Any write or delete outside that root is refused, so a
/// plan can never touch real data.
/// </summary>
public sealed class CountOnlyObjectStore(IObjectStore input) : IObjectStore
{
    /// <summary>A root no real store is asked about (.invalid is reserved, RFC 2606).</summary>
    public static readonly Uri Root = new("s3://coordinator-plan.invalid/");

    public Task<ObjectInfo?> HeadAsync(Uri uri, CancellationToken ct) =>
        IsScratch(uri) ? Task.FromResult<ObjectInfo?>(null) : input.HeadAsync(uri, ct);

    public IAsyncEnumerable<ObjectInfo> ListAsync(Uri prefix, CancellationToken ct) =>
        IsScratch(prefix) ? Empty(ct) : input.ListAsync(prefix, ct);

    public Task<Stream> OpenReadAsync(Uri uri, CancellationToken ct, long offset = 0, long? length = null) =>
        IsScratch(uri)
            ? throw new InvalidOperationException($"plan: {uri} was never written (count-only pass)")
            : input.OpenReadAsync(uri, ct, offset, length);

    public Task<IObjectWriter> OpenWriteAsync(Uri uri, CancellationToken ct) =>
        IsScratch(uri)
            ? Task.FromResult<IObjectWriter>(new DiscardingWriter())
            : throw new InvalidOperationException($"plan: refusing to write {uri}: a plan writes nothing");

    public Task DeleteAsync(Uri uri, CancellationToken ct) =>
        IsScratch(uri) ? Task.CompletedTask : throw new InvalidOperationException($"plan: refusing to delete {uri}: a plan deletes nothing");

    private static bool IsScratch(Uri uri) => uri.ToString().StartsWith(Root.ToString(), StringComparison.Ordinal);

#pragma warning disable CS1998 // an empty async stream has nothing to await
    private static async IAsyncEnumerable<ObjectInfo> Empty([EnumeratorCancellation] CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        yield break;
    }
#pragma warning restore CS1998

    private sealed class DiscardingWriter : IObjectWriter
    {
        public Stream Stream => Stream.Null;
        public Task CommitAsync(CancellationToken ct) => Task.CompletedTask;
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
