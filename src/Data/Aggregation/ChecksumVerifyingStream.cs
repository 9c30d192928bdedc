using System.Security.Cryptography;
using Coordinator.Data.Storage;

namespace Coordinator.Data.Aggregation;

/// <summary>
/// Wraps a result stream, hashing every byte read; at end of stream it throws <see cref="ResultChecksumException"/>
/// if the bytes were not what the worker recorded. Verification costs no second read.
/// </summary>
public sealed class ChecksumVerifyingStream(Stream inner, ResultSource source) : ReadOnlyWrapperStream(inner)
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _verified;

    public override int Read(Span<byte> buffer)
    {
        var read = Inner.Read(buffer);
        Observe(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.Span[..read]);
        return read;
    }

    private void Observe(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 0)
        {
            _hash.AppendData(bytes);
            return;
        }
        if (!_verified)
        {
            _verified = true;
            var actual = Convert.ToHexStringLower(_hash.GetHashAndReset());
            if (!string.Equals(actual, source.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new ResultChecksumException(source.Index, source.Uri.ToString(), source.Sha256, actual);
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
