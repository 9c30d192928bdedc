using Coordinator.Controllers.Retry;

namespace Coordinator.Controllers.Tasks;

/// <summary>What one attempt produced: success with the result's key, checksum and count, or a failure and its kind.</summary>
public sealed record AttemptResult
{
    public bool Succeeded { get; init; }
    /// <summary>Set when the attempt failed.</summary>
    public AttemptEndKind? Failure { get; init; }
    public int? ExitCode { get; init; }
    public long? OutputRecords { get; init; }
    /// <summary>Records the handler rejected ($COORDINATOR_REJECTS); the rejects object's key and sha256 when there were any.</summary>
    public long? RejectedRecords { get; init; }
    public string? RejectsKey { get; init; }
    public string? RejectsSha256 { get; init; }
    public string? ResultKey { get; init; }
    public string? ResultSha256 { get; init; }
    public string? ResultETag { get; init; }
    public string StderrTail { get; init; } = "";
    /// <summary>A short human-readable cause ("exit code 3", "output line 7 is not valid JSON", …).</summary>
    public string Message { get; init; } = "";

    public static AttemptResult Failed(AttemptEndKind kind, string message, string stderrTail, int? exitCode = null) =>
        new() { Failure = kind, Message = message, StderrTail = stderrTail, ExitCode = exitCode };
}
