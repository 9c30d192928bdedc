using System.Diagnostics.Metrics;
using Coordinator.Controllers.Metrics;

namespace Coordinator.Controllers.Tests.Metrics;

/// <summary>Listens to one <see cref="CoordinatorMetrics"/> instance's meter and keeps every measurement with its tags.</summary>
internal sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, Dictionary<string, string> Tags)> _measurements = [];

    public MetricsRecorder(CoordinatorMetrics metrics)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    /// <summary>Measurements of one instrument (gauges: call <see cref="Observe"/> first).</summary>
    public IReadOnlyList<(double Value, Dictionary<string, string> Tags)> Of(string instrument)
    {
        lock (_measurements)
        {
            return [.. _measurements.Where(m => m.Instrument == instrument).Select(m => (m.Value, m.Tags))];
        }
    }

    /// <summary>Runs the observable gauges' callbacks once (what a scrape does).</summary>
    public void Observe()
    {
        lock (_measurements)
        {
            _measurements.RemoveAll(m => m.Instrument is "coordinator.jobs" or "coordinator.tasks");
        }
        _listener.RecordObservableInstruments();
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, v) in tags)
        {
            map[key] = v?.ToString() ?? "";
        }
        lock (_measurements)
        {
            _measurements.Add((instrument.Name, value, map));
        }
    }
}
