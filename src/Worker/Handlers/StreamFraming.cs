using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Coordinator.Model.Errors;

namespace Coordinator.Worker.Handlers;

/// <summary>
/// One batch as the worker sends it to a stream-mode handler: the header line's fields. <paramref name="Rejects"/> is
/// the file this batch's rejected records go to (its attempt's own; null leaves the field out of the header).
/// </summary>
public sealed record StreamRequest(int Batch, int Attempt, long Records, long Bytes, string? Rejects = null);

/// <summary>What a stream-mode handler answered for one batch: its header line's fields.</summary>
public sealed record StreamResponse(int Batch, int Attempt, bool Ok, long Bytes, string? Message);

/// <summary>The handler broke the stream-mode framing (docs/runtime.md, "Stream mode"); the message says how.</summary>
public sealed class StreamProtocolException(string message) : CoordinatorException(message);

/// <summary>
/// The stream-mode framing on a handler's stdin and stdout (docs/runtime.md, "Stream mode"). Per batch the worker
/// writes one JSON header line <c>{"batch":3,"attempt":1,"records":10,"bytes":812}</c> and then exactly
/// <c>bytes</c> bytes of the batch. The handler answers with one JSON header line
/// <c>{"batch":3,"attempt":1,"status":"ok","bytes":901}</c> (or <c>"status":"failed","message":"…"</c>), exactly
/// <c>bytes</c> bytes of result, and the end line <c>end 3</c>. Anything else is a protocol error naming what was wrong.
/// </summary>
public static class StreamFraming
{
    /// <summary>Longest header line accepted from a handler (64 KiB): a longer one is not a header.</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    /// <summary>The request header line, newline included.</summary>
    public static byte[] RequestHeader(StreamRequest request) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $"{{\"batch\":{request.Batch},\"attempt\":{request.Attempt},\"records\":{request.Records},\"bytes\":{request.Bytes}{RejectsField(request.Rejects)}}}\n"));

    private static string RejectsField(string? rejects) =>
        rejects is null ? "" : ",\"rejects\":" + JsonSerializer.Serialize(rejects);

    /// <summary>The end line that follows a response's result bytes, newline included.</summary>
    public static string EndLine(int batch) => string.Create(CultureInfo.InvariantCulture, $"end {batch}");

    /// <summary>Writes one request: the header line, then <paramref name="request"/>.Bytes bytes copied from <paramref name="body"/>.</summary>
    public static async Task WriteRequestAsync(Stream stdin, StreamRequest request, Stream body, CancellationToken ct)
    {
        await stdin.WriteAsync(RequestHeader(request), ct).ConfigureAwait(false);
        var copied = await CopyExactlyAsync(body, stdin, request.Bytes, ct).ConfigureAwait(false);
        if (copied != request.Bytes)
        {
            throw new IOException($"the batch file held {copied} bytes, not the {request.Bytes} announced");
        }
        await stdin.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Parses a response header line (without its newline) for the request it answers.</summary>
    public static StreamResponse ParseResponseHeader(string line, StreamRequest request)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new StreamProtocolException($"the response header for batch {request.Batch} is not JSON ({e.Message}): {Shorten(line)}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new StreamProtocolException($"the response header for batch {request.Batch} is not a JSON object: {Shorten(line)}");
            }
            var batch = Integer(root, "batch", request.Batch, line);
            var attempt = Integer(root, "attempt", request.Batch, line);
            if (batch != request.Batch || attempt != request.Attempt)
            {
                throw new StreamProtocolException(
                    $"the response header answers batch {batch} attempt {attempt}, but batch {request.Batch} attempt {request.Attempt} was sent: {Shorten(line)}");
            }
            var status = root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (status is not ("ok" or "failed"))
            {
                throw new StreamProtocolException($"the response header for batch {request.Batch} has \"status\" {(status is null ? "missing" : $"\"{status}\"")}; expected \"ok\" or \"failed\": {Shorten(line)}");
            }
            var bytes = root.TryGetProperty("bytes", out _) ? Integer(root, "bytes", request.Batch, line) : 0;
            if (bytes < 0)
            {
                throw new StreamProtocolException($"the response header for batch {request.Batch} has negative \"bytes\" {bytes}: {Shorten(line)}");
            }
            var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            return new StreamResponse(request.Batch, request.Attempt, status == "ok", bytes, message);
        }
    }

    private static long Integer(JsonElement root, string name, int batch, string line) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n)
            ? n
            : throw new StreamProtocolException($"the response header for batch {batch} has no integer \"{name}\": {Shorten(line)}");

    private static string Shorten(string line) => line.Length <= 200 ? line : line[..200] + "…";

    /// <summary>Copies at most <paramref name="count"/> bytes; returns how many were copied (fewer only at the end of <paramref name="source"/>).</summary>
    public static async Task<long> CopyExactlyAsync(Stream source, Stream destination, long count, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            var left = count;
            while (left > 0)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), ct).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                await destination.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                left -= read;
            }
            return count - left;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>
/// Reads a stream-mode handler's stdout: header lines and exact byte counts from one buffered stream, so a result's
/// bytes are never taken for a header and no byte is lost between reads.
/// </summary>
public sealed class StreamFrameReader(Stream source)
{
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;

    /// <summary>The next line without its newline (a trailing '\r' is kept); null at the end of the stream before any byte.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        var line = new MemoryStream();
        while (true)
        {
            if (_start == _end && !await FillAsync(ct).ConfigureAwait(false))
            {
                if (line.Length == 0)
                {
                    return null;
                }
                throw new StreamProtocolException($"the handler's stdout ended in the middle of a line: {Encoding.UTF8.GetString(line.ToArray())}");
            }
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            var take = (newline < 0 ? _end : newline) - _start;
            if (line.Length + take > StreamFraming.MaxHeaderBytes)
            {
                throw new StreamProtocolException(
                    $"the handler wrote a line longer than {StreamFraming.MaxHeaderBytes} bytes where a header was expected (is it printing its results without the framing?)");
            }
            line.Write(_buffer, _start, take);
            _start += take;
            if (newline >= 0)
            {
                _start++;
                return Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length);
            }
        }
    }

    /// <summary>Copies exactly <paramref name="count"/> bytes to <paramref name="destination"/>; fewer is a protocol error.</summary>
    public async Task CopyAsync(Stream destination, long count, int batch, CancellationToken ct)
    {
        var left = count;
        while (left > 0)
        {
            if (_start == _end && !await FillAsync(ct).ConfigureAwait(false))
            {
                throw new StreamProtocolException($"the handler's stdout ended after {count - left} of the {count} result bytes announced for batch {batch}");
            }
            var take = (int)Math.Min(left, _end - _start);
            await destination.WriteAsync(_buffer.AsMemory(_start, take), ct).ConfigureAwait(false);
            _start += take;
            left -= take;
        }
    }

    /// <summary>Reads one response: header, result bytes into <paramref name="result"/>, end line.</summary>
    public async Task<StreamResponse> ReadResponseAsync(StreamRequest request, Stream result, CancellationToken ct)
    {
        var header = await ReadLineAsync(ct).ConfigureAwait(false)
            ?? throw new StreamProtocolException($"the handler's stdout ended before it answered batch {request.Batch}");
        var response = StreamFraming.ParseResponseHeader(header, request);
        await CopyAsync(result, response.Bytes, request.Batch, ct).ConfigureAwait(false);
        var end = await ReadLineAsync(ct).ConfigureAwait(false);
        var expected = StreamFraming.EndLine(request.Batch);
        if (end is null || end.TrimEnd('\r') != expected)
        {
            throw new StreamProtocolException(end is null
                ? $"the handler's stdout ended before the end line \"{expected}\" of batch {request.Batch}"
                : $"expected the end line \"{expected}\" after the {response.Bytes} result bytes of batch {request.Batch}, got: {(end.Length <= 200 ? end : end[..200] + "…")} (does \"bytes\" count the result exactly?)");
        }
        return response;
    }

    private async Task<bool> FillAsync(CancellationToken ct)
    {
        _start = 0;
        _end = await source.ReadAsync(_buffer, ct).ConfigureAwait(false);
        return _end > 0;
    }
}
