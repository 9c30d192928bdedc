using Coordinator.Controllers.Storage;

namespace Coordinator.Controllers.Formats;

/// <summary>
/// Read-only wrapper over a decompressing gzip stream that turns corrupt data into an
/// <see cref="InputFormatException"/> and, at the end, checks the decompressed size against the trailer's ISIZE:
/// a truncated object decompresses to fewer bytes than its (missing) trailer promised. Limitation: a multi-member gzip
/// (as written by bgzip) is checked against its last member's ISIZE, so it is refused as truncated unless it is
/// recompressed as one member.
/// </summary>
internal sealed class GzipCheckedStream(Stream inner, uint expectedSizeMod32, string source) : ReadOnlyWrapperStream(inner)
{
    private long _total;

    public override long Position { get => _total; set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = Inner.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(e);
        }
        return Account(n, buffer.IsEmpty);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        try
        {
            n = await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(e);
        }
        return Account(n, buffer.IsEmpty);
    }

    private int Account(int n, bool emptyRequest)
    {
        _total += n;
        if (n == 0 && !emptyRequest && (uint)_total != expectedSizeMod32)
            throw new InputFormatException(InputErrorReasons.CorruptCompression, source, $"after {_total} decompressed bytes",
                $"gzip stream is truncated (the trailer promises {expectedSizeMod32} bytes mod 2^32)");
        return n;
    }

    private InputFormatException Corrupt(InvalidDataException e) =>
        new(InputErrorReasons.CorruptCompression, source, $"after {_total} decompressed bytes", $"corrupt gzip data: {e.Message}", e);

}
