using System.ComponentModel.DataAnnotations;

namespace Coordinator.Controllers.Configuration;

/// <summary>
/// Section "Coordinator:DynamoDb": the retries at the DynamoDB edge (exponential backoff with jitter on transient
/// faults), on top of the SDK's own retries inside each attempt.
/// </summary>
public sealed class DynamoDbOptions
{
    /// <summary>Attempts after the first one for ordinary calls (default 6).</summary>
    [Range(0, 100)]
    public int MaxRetryAttempts { get; set; } = 6;

    /// <summary>Attempts after the first one for a batch call that keeps reporting unprocessed items (default 10).</summary>
    [Range(0, 100)]
    public int BatchMaxRetryAttempts { get; set; } = 10;

    /// <summary>First retry delay (default 50 ms).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest retry delay (default 5 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(5);
}
