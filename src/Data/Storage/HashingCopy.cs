using System.Buffers;
using System.Security.Cryptography;

namespace Coordinator.Data.Storage;

/// <summary>Copies a stream while computing its sha256, so a checksum never costs a second read.</summary>
public static class HashingCopy
{
    /// <summary>Returns the lowercase hex sha256 of everything copied and the byte count.</summary>
    public static async Task<(string Sha256, long Bytes)> CopyAsync(Stream source, Stream destination, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        long total = 0;
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(), ct).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await destination.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                total += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), total);
    }
}
