using System.Text;

namespace Coordinator.Worker.Handlers;

/// <summary>Keeps only the last N bytes written, so a chatty handler's stderr costs bounded memory.</summary>
public sealed class TailBuffer(int capacity)
{
    private readonly byte[] _ring = new byte[capacity];
    private readonly Lock _gate = new();
    private long _written;

    /// <summary>Thread-safe: in file mode a handler's stdout and stderr pumps share one tail.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            AppendLocked(bytes);
        }
    }

    private void AppendLocked(ReadOnlySpan<byte> bytes)
    {
        if (capacity == 0)
        {
            return;
        }
        if (bytes.Length > capacity)
        {
            // Only the last `capacity` bytes can survive; skip the rest but keep the position arithmetic right.
            _written += bytes.Length - capacity;
            bytes = bytes[^capacity..];
        }
        foreach (var b in bytes)
        {
            _ring[_written++ % capacity] = b;
        }
    }

    /// <summary>Appends a note of our own (e.g. "killed after timeout") so it shows in the tail the user reads.</summary>
    public void AppendLine(string text) => Append(Encoding.UTF8.GetBytes(text + "\n"));

    /// <summary>The kept bytes as UTF-8 text; a character cut in half at the start is dropped.</summary>
    public override string ToString()
    {
        lock (_gate)
        {
            return Snapshot();
        }
    }

    private string Snapshot()
    {
        var length = (int)Math.Min(_written, capacity);
        var bytes = new byte[length];
        var start = (int)(_written <= capacity ? 0 : _written % capacity);
        for (var i = 0; i < length; i++)
        {
            bytes[i] = _ring[(start + i) % capacity];
        }
        var skip = 0;
        while (skip < bytes.Length && _written > capacity && (bytes[skip] & 0xC0) == 0x80)
        {
            skip++;
        }
        return Encoding.UTF8.GetString(bytes, skip, bytes.Length - skip);
    }
}
