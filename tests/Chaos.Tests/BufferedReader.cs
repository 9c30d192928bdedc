using System.Text;

namespace Coordinator.Chaos.Tests;

/// <summary>Line and exact-count reads over a network stream, for the fault proxy's HTTP framing.</summary>
internal sealed class BufferedReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>A CRLF- (or LF-) terminated line without its terminator; null at end of stream before any byte.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        var line = new List<byte>();
        while (true)
        {
            if (_start == _end && !await FillAsync(ct))
            {
                return line.Count == 0 ? null : Encoding.Latin1.GetString([.. line]);
            }
            var b = _buffer[_start++];
            if (b == '\n')
            {
                if (line.Count > 0 && line[^1] == '\r')
                {
                    line.RemoveAt(line.Count - 1);
                }
                return Encoding.Latin1.GetString([.. line]);
            }
            line.Add(b);
        }
    }

    public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken ct)
    {
        var result = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            if (_start == _end && !await FillAsync(ct))
            {
                throw new IOException($"connection closed after {filled} of {count} body bytes");
            }
            var n = Math.Min(count - filled, _end - _start);
            Array.Copy(_buffer, _start, result, filled, n);
            _start += n;
            filled += n;
        }
        return result;
    }

    /// <summary>Everything up to the end of the stream.</summary>
    public async Task<byte[]> ReadToEndAsync(CancellationToken ct)
    {
        using var rest = new MemoryStream();
        rest.Write(_buffer, _start, _end - _start);
        _start = _end;
        await stream.CopyToAsync(rest, ct);
        return rest.ToArray();
    }

    private async Task<bool> FillAsync(CancellationToken ct)
    {
        _start = 0;
        _end = await stream.ReadAsync(_buffer, ct);
        return _end > 0;
    }
}
