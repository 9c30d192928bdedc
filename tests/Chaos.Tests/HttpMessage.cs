using System.Globalization;
using System.Text;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Just enough HTTP/1.1 framing for the fault proxy: a message head (start line + headers) read up to the blank line,
/// and a body read by Content-Length or chunked transfer coding, kept as raw bytes so it is forwarded unchanged.
/// </summary>
internal sealed class HttpMessage
{
    private HttpMessage(string startLine, List<(string Name, string Value)> headers)
    {
        StartLine = startLine;
        Headers = headers;
    }

    public string StartLine { get; }
    public List<(string Name, string Value)> Headers { get; }
    public byte[] Body { get; private set; } = [];

    public string? Header(string name) => Headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public void SetHeader(string name, string? value)
    {
        Headers.RemoveAll(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (value is not null)
        {
            Headers.Add((name, value));
        }
    }

    public byte[] HeadBytes()
    {
        var head = new StringBuilder(StartLine).Append("\r\n");
        foreach (var (name, value) in Headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        return Encoding.Latin1.GetBytes(head.Append("\r\n").ToString());
    }

    /// <summary>Reads a head; null when the peer closed the connection before sending one.</summary>
    public static async Task<HttpMessage?> ReadHeadAsync(BufferedReader reader, CancellationToken ct)
    {
        var start = await reader.ReadLineAsync(ct);
        if (start is null)
        {
            return null;
        }
        var headers = new List<(string, string)>();
        for (var line = await reader.ReadLineAsync(ct); !string.IsNullOrEmpty(line); line = await reader.ReadLineAsync(ct))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }
        return new HttpMessage(start, headers);
    }

    /// <summary>Reads the request body that follows the head (requests without a length have none).</summary>
    public async Task ReadBodyAsync(BufferedReader reader, CancellationToken ct)
    {
        if (Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            using var raw = new MemoryStream();
            while (true)
            {
                var sizeLine = await reader.ReadLineAsync(ct) ?? throw new IOException("connection closed inside a chunked body");
                raw.Write(Encoding.Latin1.GetBytes(sizeLine + "\r\n"));
                var size = int.Parse(sizeLine.Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    // Trailers up to the blank line.
                    for (var t = await reader.ReadLineAsync(ct); !string.IsNullOrEmpty(t); t = await reader.ReadLineAsync(ct))
                    {
                        raw.Write(Encoding.Latin1.GetBytes(t + "\r\n"));
                    }
                    raw.Write("\r\n"u8);
                    break;
                }
                raw.Write(await reader.ReadExactlyAsync(size + 2, ct));
            }
            Body = raw.ToArray();
        }
        else if (Header("Content-Length") is { } length)
        {
            Body = await reader.ReadExactlyAsync(int.Parse(length, CultureInfo.InvariantCulture), ct);
        }
    }
}
