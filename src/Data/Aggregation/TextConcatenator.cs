using System.Buffers;
using System.Security.Cryptography;
using Coordinator.Data.Storage;

namespace Coordinator.Data.Aggregation;

/// <summary>
/// Concatenates JSONL or CSV results in batch order by streaming — one buffer in memory, never a whole result.
/// Every result is read as the version its worker recorded (its ETag) and verified against its recorded sha256 as it
/// passes through. CSV keeps the first result's header
/// and drops the header line of the others; a part that does not end in a newline gets one, so records never fuse.
/// The next <see cref="OpenAhead"/> results are opened while the current one streams: with thousands of tiny results
/// the cost is the GET round trip, not the bytes, and one at a time made aggregation the slowest step of a job. Only
/// open streams wait (bounded connections), never buffered results.
/// </summary>
public static class TextConcatenator
{
    /// <summary>Results opened ahead of the one being copied.</summary>
    public const int OpenAhead = 16;

    /// <summary>Writes every source to <paramref name="destination"/>; returns the output's sha256 and length.</summary>
    public static Task<(string Sha256, long Bytes)> ConcatAsync(
        IObjectStore store, IReadOnlyList<ResultSource> sources, Stream destination, bool csvHeaders, CancellationToken ct) =>
        ConcatAsync(store, sources, new StreamSink(destination), csvHeaders, ct);

    /// <summary>
    /// Reads every source in order, verifying each, and hands the output bytes to <paramref name="sink"/> with where they
    /// came from; returns the output's sha256 and length (of every output byte, including any the sink had copied).
    /// </summary>
    public static async Task<(string Sha256, long Bytes)> ConcatAsync(
        IObjectStore store, IReadOnlyList<ResultSource> sources, ITextSink sink, bool csvHeaders, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 17);
        long total = 0;
        var opening = new Queue<Task<Stream>>();
        var next = 0;
        try
        {
            for (var s = 0; s < sources.Count; s++)
            {
                while (next < sources.Count && next <= s + OpenAhead)
                {
                    var source = sources[next++];
                    opening.Enqueue(store.OpenReadIfMatchAsync(source.Uri, source.ETag, ct));
                }
                var raw = await opening.Dequeue().ConfigureAwait(false);
                await using var input = new ChecksumVerifyingStream(raw, sources[s]);
                var skippingHeader = csvHeaders && s > 0;
                byte last = (byte)'\n';
                long position = 0;
                int read;
                while ((read = await input.ReadAsync(buffer.AsMemory(), ct).ConfigureAwait(false)) > 0)
                {
                    var chunk = buffer.AsMemory(0, read);
                    var offset = position;
                    position += read;
                    if (skippingHeader)
                    {
                        var newline = chunk.Span.IndexOf((byte)'\n');
                        if (newline < 0)
                        {
                            continue;
                        }
                        skippingHeader = false;
                        chunk = chunk[(newline + 1)..];
                        offset += newline + 1;
                    }
                    if (chunk.Length == 0)
                    {
                        continue;
                    }
                    await Write(s, offset, chunk).ConfigureAwait(false);
                    last = chunk.Span[^1];
                }
                await sink.EndSourceAsync(s, position, ct).ConfigureAwait(false);
                if (last != (byte)'\n')
                {
                    await Write(s, -1, new byte[] { (byte)'\n' }).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await CloseUnusedAsync(opening).ConfigureAwait(false);
        }
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), total);

        async Task Write(int source, long offset, ReadOnlyMemory<byte> bytes)
        {
            hash.AppendData(bytes.Span);
            await sink.WriteAsync(source, offset, bytes, ct).ConfigureAwait(false);
            total += bytes.Length;
        }
    }

    /// <summary>After an error, closes whatever was opened ahead and not used (a failed open is already reported).</summary>
    private static async Task CloseUnusedAsync(Queue<Task<Stream>> opening)
    {
        while (opening.TryDequeue(out var pending))
        {
            try
            {
                await (await pending.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The pass is already failing with its own error.
            }
        }
    }
}
