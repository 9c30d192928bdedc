using System.Globalization;

namespace Coordinator.Worker;

/// <summary>
/// Sums of <see cref="BatchTiming"/> over the batches a worker recorded (thread-safe: a pilot runs several batches at
/// once), so a pilot can report its mean overhead per batch beyond the handler's own time when it exits.
/// </summary>
public sealed class WorkerStats
{
    private readonly Lock _gate = new();
    private long _batches;
    private TimeSpan _download, _handler, _validate, _upload, _record, _total;

    public long Batches
    {
        get
        {
            lock (_gate)
                return _batches;
        }
    }

    public void Add(BatchTiming timing)
    {
        lock (_gate)
        {
            _batches++;
            _download += timing.Download;
            _handler += timing.Handler;
            _validate += timing.Validate;
            _upload += timing.Upload;
            _record += timing.Record;
            _total += timing.Total;
        }
    }

    /// <summary>Mean of each part per batch in milliseconds; all zero before the first batch.</summary>
    public WorkerStatsSummary Summarize()
    {
        lock (_gate)
        {
            double Mean(TimeSpan t) => _batches == 0 ? 0 : t.TotalMilliseconds / _batches;
            return new WorkerStatsSummary(_batches, Mean(_total), Mean(_handler), Mean(_total - _handler),
                Mean(_download), Mean(_validate), Mean(_upload), Mean(_record));
        }
    }
}

/// <summary>Mean milliseconds per batch (claim written → outcome written) and its parts.</summary>
public sealed record WorkerStatsSummary(
    long Batches, double TotalMs, double HandlerMs, double OverheadMs, double DownloadMs, double ValidateMs, double UploadMs, double RecordMs)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Batches} batches, mean per batch {TotalMs:F1} ms = handler {HandlerMs:F1} ms + worker overhead {OverheadMs:F1} ms " +
        $"(download {DownloadMs:F1}, validate {ValidateMs:F1}, upload {UploadMs:F1}, record {RecordMs:F1})");
}
