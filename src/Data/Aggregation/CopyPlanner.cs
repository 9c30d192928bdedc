namespace Coordinator.Data.Aggregation;

/// <summary>
/// Where, inside one result, the aggregator stops streaming bytes into the output's buffered part and has the store
/// copy the rest server-side (S3 UploadPartCopy). Every part but the last must reach the store's minimum (5 MiB on
/// S3), so a copy starts only when the buffered part is empty or already that large, and only when what it copies is
/// that large too; a small buffered part is first topped up from the result itself. Pure.
/// </summary>
public static class CopyPlanner
{
    /// <summary>
    /// The offset in the result from which the rest (to <paramref name="size"/>) is copied, or null to stream the rest.
    /// </summary>
    /// <param name="buffered">Bytes buffered in the output's current part.</param>
    /// <param name="position">Offset in the result of the next byte the output takes (after a CSV header, say).</param>
    /// <param name="size">The result's size.</param>
    /// <param name="minPart">The store's smallest part but the last.</param>
    public static long? CopyFrom(long buffered, long position, long size, long minPart)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(buffered);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfLessThan(minPart, 1);
        var topUp = buffered == 0 || buffered >= minPart ? 0 : minPart - buffered;
        var start = position + topUp;
        return size - start >= minPart ? start : null;
    }
}
