using Parquet;

namespace Coordinator.Data.Formats;

/// <summary>
/// Parquet.Net options used for every read and write. Its RecyclableMemoryStream pools keep freed buffers without
/// bound unless capped ("indistinguishable from a memory leak"); capping them keeps the daemon's memory bounded by
/// one row group, as the design requires.
/// </summary>
internal static class ParquetSettings
{
    public static ParquetOptions Options { get; } = new()
    {
        MaximumSmallPoolFreeBytes = 16 * 1024 * 1024,
        MaximumLargePoolFreeBytes = 64 * 1024 * 1024,
    };
}
