namespace Coordinator.Data.Aggregation;

/// <summary>The plain output: every byte goes to the stream (the object store's multipart writer, or a file).</summary>
public sealed class StreamSink(Stream destination) : ITextSink
{
    public ValueTask WriteAsync(int source, long offset, ReadOnlyMemory<byte> chunk, CancellationToken ct) => destination.WriteAsync(chunk, ct);

    public ValueTask EndSourceAsync(int source, long length, CancellationToken ct) => ValueTask.CompletedTask;
}
