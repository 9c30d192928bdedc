using System.Buffers;
using Coordinator.Data.Partitioning;

namespace Coordinator.Data.Formats;

/// <summary>
/// The JSONL reader's two read buffers, used in turn. Runs of records are written to a batch straight from the read
/// buffer and hashed from it on the <see cref="Sha256Pipeline"/> thread (no copy); meanwhile the reader moves the
/// unfinished line to the other buffer and fills that one. A buffer is written again only after the hasher is done
/// with every run borrowed from it, so the bytes hashed are always the bytes written.
/// </summary>
internal sealed class ReadBufferPair : IDisposable
{
    private readonly Sha256Pipeline _hasher;
    private readonly byte[][] _buffers;
    private readonly bool[] _pooled = [true, true];
    private readonly long[] _borrowedUpTo = new long[2];
    private int _current;

    public ReadBufferPair(Sha256Pipeline hasher, int size)
    {
        _hasher = hasher;
        _buffers = [ArrayPool<byte>.Shared.Rent(size), ArrayPool<byte>.Shared.Rent(size)];
    }

    public byte[] Current => _buffers[_current];

    /// <summary>Bytes of <see cref="Current"/> are being hashed until sequence number <paramref name="seq"/> is done (0: nothing borrowed).</summary>
    public void Borrowed(long seq) => _borrowedUpTo[_current] = Math.Max(_borrowedUpTo[_current], seq);

    /// <summary><see cref="Current"/>, once nothing borrowed from it is still being hashed (before refilling it from the start).</summary>
    public byte[] Reclaim()
    {
        _hasher.WaitHashed(_borrowedUpTo[_current]);
        return Current;
    }

    /// <summary>
    /// Move bytes [<paramref name="from"/>, <paramref name="to"/>) of <see cref="Current"/> to the start of a buffer that
    /// may be written: the other one when the bytes fit in half of it (the usual case: a partial line), else the
    /// current one in place. Returns the new <see cref="Current"/>.
    /// </summary>
    public byte[] MoveTail(int from, int to)
    {
        var tail = to - from;
        var other = 1 - _current;
        if (tail <= _buffers[other].Length / 2)
        {
            _hasher.WaitHashed(_borrowedUpTo[other]);
            Buffer.BlockCopy(_buffers[_current], from, _buffers[other], 0, tail);
            _current = other;
            return Current;
        }
        Buffer.BlockCopy(Reclaim(), from, Current, 0, tail);
        return Current;
    }

    /// <summary>Replace <see cref="Current"/> with a larger buffer that starts with its first <paramref name="used"/> bytes (a line longer than the buffer).</summary>
    public byte[] Grow(int length, int used)
    {
        var old = Reclaim();
        var grown = GC.AllocateUninitializedArray<byte>(length);
        Buffer.BlockCopy(old, 0, grown, 0, used);
        if (_pooled[_current])
            ArrayPool<byte>.Shared.Return(old);
        _buffers[_current] = grown;
        _pooled[_current] = false;
        return grown;
    }

    /// <summary>Waits for the hasher to finish with both buffers, then returns them to the pool.</summary>
    public void Dispose()
    {
        _hasher.WaitHashed(Math.Max(_borrowedUpTo[0], _borrowedUpTo[1]));
        for (var i = 0; i < 2; i++)
        {
            if (_pooled[i])
                ArrayPool<byte>.Shared.Return(_buffers[i]);
            _buffers[i] = [];
            _pooled[i] = false;
        }
    }
}
