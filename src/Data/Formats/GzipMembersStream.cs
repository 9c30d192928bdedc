using System.Runtime.InteropServices;
using Coordinator.Data.Storage;

namespace Coordinator.Data.Formats;

/// <summary>
/// Decompresses a gzip object of one or more members (RFC 1952: <c>cat a.gz b.gz</c>, bgzip, <c>pigz -i</c> output are
/// all valid gzip, and GNU gzip reads them as the concatenation). zlib checks every member's CRC32 and ISIZE; this stream
/// tracks where each member starts, so a problem is reported with the object, the member number and the compressed byte
/// offset: a corrupt member (bad header, bad deflate data, CRC32 or ISIZE mismatch), bytes after the last member that
/// are not a gzip header, and an object that ends inside a member (truncated: .NET's GZipStream would end silently).
/// Memory: two 128 KiB pinned buffers and zlib's 32 KiB window.
/// </summary>
internal sealed class GzipMembersStream : ReadOnlyWrapperStream
{
    private const int BufferSize = 128 * 1024;

    private readonly string _source;
    private readonly ZStream[] _z = GC.AllocateArray<ZStream>(1, pinned: true);
    private readonly byte[] _in = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);
    private readonly byte[] _out = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);
    private readonly IntPtr _inPtr;
    private readonly IntPtr _outPtr;
    private bool _initialised, _eof, _finished, _inMember;
    private long _read, _memberStart, _total;
    private int _members;

    public GzipMembersStream(Stream inner, string source) : base(inner)
    {
        _source = source;
        _inPtr = Marshal.UnsafeAddrOfPinnedArrayElement(_in, 0);
        _outPtr = Marshal.UnsafeAddrOfPinnedArrayElement(_out, 0);
        int rc;
        try
        {
            rc = Zlib.InflateInitGzip(ref _z[0]);
        }
        catch (DllNotFoundException e)
        {
            throw new InvalidOperationException("reading .gz input needs zlib (libz.so.1), which is not installed", e);
        }
        if (rc != Zlib.Ok)
            throw new InvalidOperationException($"zlib inflateInit2 failed with code {rc}");
        _initialised = true;
    }

    /// <summary>Decompressed bytes returned so far.</summary>
    public override long Position { get => _total; set => throw new NotSupportedException(); }

    /// <summary>Gzip members started so far (an empty member counts).</summary>
    public int Members => _members;

    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            var n = Step(buffer, out var needInput);
            if (n > 0 || _finished || buffer.IsEmpty)
                return n;
            if (needInput)
                Fill(Inner.Read(_in));
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var n = Step(buffer.Span, out var needInput);
            if (n > 0 || _finished || buffer.IsEmpty)
                return n;
            if (needInput)
                Fill(Inner is FileStream file ? file.Read(_in) : await Inner.ReadAsync(_in, cancellationToken).ConfigureAwait(false));
        }
    }

    private long Consumed => _read - _z[0].AvailIn;

    private void Fill(int n)
    {
        if (n == 0)
        {
            _eof = true;
            return;
        }
        _z[0].NextIn = _inPtr;
        _z[0].AvailIn = (uint)n;
        _read += n;
    }

    /// <summary>One inflate call into <paramref name="dest"/>; returns the bytes produced (0 with needInput when the input buffer is empty).</summary>
    private int Step(Span<byte> dest, out bool needInput)
    {
        needInput = false;
        if (_finished || dest.IsEmpty)
            return 0;
        ref var z = ref _z[0];
        if (z.AvailIn == 0)
        {
            if (!_eof)
            {
                needInput = true;
                return 0;
            }
            if (_inMember || _members == 0)
                throw Truncated();
            _finished = true;
            return 0;
        }
        if (!_inMember)
        {
            if (_members > 0 && Zlib.InflateReset(ref z) != Zlib.Ok)
                throw new InvalidOperationException("zlib inflateReset failed");
            _inMember = true;
            _memberStart = Consumed;
            _members++;
        }
        z.NextOut = _outPtr;
        z.AvailOut = (uint)Math.Min(dest.Length, _out.Length);
        var capacity = z.AvailOut;
        var rc = Zlib.Inflate(ref z, Zlib.NoFlush);
        var produced = (int)(capacity - z.AvailOut);
        if (rc is not (Zlib.Ok or Zlib.StreamEnd or Zlib.BufError) || (rc == Zlib.BufError && z.AvailIn > 0))
            throw Corrupt(rc == Zlib.NeedDict ? "a preset dictionary is not valid in gzip" : Marshal.PtrToStringAnsi(z.Msg) ?? $"zlib error {rc}");
        if (rc == Zlib.StreamEnd)
            _inMember = false;
        _out.AsSpan(0, produced).CopyTo(dest);
        _total += produced;
        return produced;
    }

    private string Location => $"gzip member {_members} (starting at compressed byte {_memberStart})";

    private InputFormatException Truncated() => _members == 0
        ? new(InputErrorReasons.CorruptCompression, _source, "", "gzip object is empty (no gzip member)")
        : new(InputErrorReasons.CorruptCompression, _source, Location,
            $"truncated: the object ends at compressed byte {_read} inside the member, after {_total} decompressed bytes");

    private InputFormatException Corrupt(string zlibMessage)
    {
        var what = zlibMessage switch
        {
            "incorrect data check" => "CRC32 mismatch (the member's data does not match its trailer)",
            "incorrect length check" => "ISIZE mismatch (the member's length does not match its trailer)",
            "incorrect header check" when _members > 1 => $"bytes after gzip member {_members - 1} are not a gzip header (trailing garbage)",
            "incorrect header check" => "not a gzip header",
            _ => "corrupt gzip data: " + zlibMessage,
        };
        return new(InputErrorReasons.CorruptCompression, _source, Location,
            $"{what}, detected at compressed byte {Consumed}, after {_total} decompressed bytes");
    }

    protected override void Dispose(bool disposing)
    {
        if (_initialised)
        {
            _initialised = false;
            _ = Zlib.InflateEnd(ref _z[0]); // only fails for a stream that was never initialised
        }
        base.Dispose(disposing);
    }
}
