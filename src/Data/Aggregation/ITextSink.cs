namespace Coordinator.Data.Aggregation;

/// <summary>
/// Where <see cref="TextConcatenator"/> puts the output, told where each chunk came from: a plain stream takes every
/// byte; a composition (<see cref="CompositionSink"/>) can instead have the store copy the rest of a large result.
/// </summary>
public interface ITextSink
{
    /// <summary>
    /// Output bytes that are bytes [<paramref name="offset"/>, offset + length) of result <paramref name="source"/>, or,
    /// with offset −1, bytes the concatenation adds (a newline after a result that lacks one).
    /// </summary>
    ValueTask WriteAsync(int source, long offset, ReadOnlyMemory<byte> chunk, CancellationToken ct);

    /// <summary>Result <paramref name="source"/> has been read to its end: <paramref name="length"/> bytes, checksum verified.</summary>
    ValueTask EndSourceAsync(int source, long length, CancellationToken ct);
}
