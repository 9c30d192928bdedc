using System.Diagnostics.Metrics;
using Coordinator.Controllers.Metrics;

namespace Coordinator.Testing.Metrics;

/// <summary>Listens to one meter (a <see cref="CoordinatorMetrics"/> instance's) and keeps every measurement with its tags.</summary>
public sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, bool Observable, double Value, Dictionary<string, string> Tags)> _measurements = [];

    public MeterRecorder(CoordinatorMetrics metrics)
        : this(metrics.Meter)
    {
    }

    public MeterRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
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

    /// <summary>The sum of everything one instrument recorded (a counter's total), 0 when it recorded nothing.</summary>
    public long Total(string instrument) => (long)Of(instrument).Sum(m => m.Value);

    /// <summary>Runs the observable gauges' callbacks once (what a scrape does), replacing what they reported before.</summary>
    public void Observe()
    {
        lock (_measurements)
        {
            _measurements.RemoveAll(m => m.Observable);
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
            _measurements.Add((instrument.Name, instrument.IsObservable, value, map));
        }
    }
}
