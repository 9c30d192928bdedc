namespace Coordinator.Model.Status;

/// <summary>A Kubernetes-style condition. LastTransitionTime changes only when Status changes.</summary>
public sealed class Condition
{
    public string Type { get; set; } = "";
    /// <summary>"True", "False" or "Unknown".</summary>
    public string Status { get; set; } = "Unknown";
    public string Reason { get; set; } = "";
    public string Message { get; set; } = "";
    public DateTimeOffset LastTransitionTime { get; set; }
    public long ObservedGeneration { get; set; }
}

/// <summary>Well-known condition types.</summary>
public static class ConditionTypes
{
    public const string Valid = "Valid";
    public const string Partitioned = "Partitioned";
    public const string Stored = "Stored";
    public const string Dispatched = "Dispatched";
    public const string Complete = "Complete";
    public const string Failed = "Failed";
    public const string Suspended = "Suspended";
    /// <summary>The output location was probed writable before the first dispatch of the generation.</summary>
    public const string OutputWritable = "OutputWritable";
}
