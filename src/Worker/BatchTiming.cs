using System.Diagnostics;

namespace Coordinator.Worker;

/// <summary>
/// Where one batch's time went inside the worker, from the claim being written to the outcome being written. The
/// handler's own run is one part; everything else is the worker's overhead per batch, which is what pilot-mode
/// throughput is made of when handlers are tiny.
/// </summary>
public sealed class BatchTiming
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _mark = Stopwatch.GetTimestamp();

    /// <summary>Scratch directory and download with sha256 check.</summary>
    public TimeSpan Download { get; private set; }
    /// <summary>The handler process, from start to exit with its pipes drained.</summary>
    public TimeSpan Handler { get; private set; }
    /// <summary>Output validation and record count.</summary>
    public TimeSpan Validate { get; private set; }
    public TimeSpan Upload { get; private set; }
    /// <summary>The conditional write of the outcome.</summary>
    public TimeSpan Record { get; private set; }
    public TimeSpan Total { get; private set; }
    public TimeSpan Overhead => Total - Handler;

    public void DownloadDone() => Download = Lap();
    public void HandlerDone() => Handler = Lap();
    public void ValidateDone() => Validate = Lap();
    public void UploadDone() => Upload = Lap();

    public void RecordDone()
    {
        Record = Lap();
        Total = Stopwatch.GetElapsedTime(_start);
    }

    private TimeSpan Lap()
    {
        var now = Stopwatch.GetTimestamp();
        var lap = Stopwatch.GetElapsedTime(_mark, now);
        _mark = now;
        return lap;
    }
}
