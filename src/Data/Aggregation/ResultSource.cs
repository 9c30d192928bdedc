namespace Coordinator.Data.Aggregation;

/// <summary>
/// One succeeded batch's result, in batch order, as its worker recorded it: the object, its sha256, the version the
/// worker committed (<paramref name="ETag"/>; null on items written before results were versioned) and the attempt
/// that wrote it. The aggregator reads and copies that version only.
/// </summary>
public sealed record ResultSource(int Index, Uri Uri, string Sha256, string? ETag = null, int Attempt = 0)
{
    /// <summary>"batch 3 attempt 2", for messages.</summary>
    public string Name => Attempt > 0 ? $"batch {Index} attempt {Attempt}" : $"batch {Index}";
}
