namespace Coordinator.Reconciler.Cli.Output;

/// <summary>
/// Batches per second and the time left, from the (time, batches ended) samples <c>watch</c> takes. The rate is
/// measured over a sliding window (default one minute) so it follows the job's current pace rather than its
/// average since start, which partitioning and the first Slurm wave would drag down. Pure, given the samples.
/// </summary>
public sealed class ProgressEstimator(TimeSpan window)
{
    private readonly Queue<(DateTimeOffset At, long Ended)> _samples = new();

    public ProgressEstimator() : this(TimeSpan.FromMinutes(1))
    {
    }

    /// <summary>Batches ended per second over the window; null until two samples span some time, or after a reset.</summary>
    public double? Rate { get; private set; }

    public void Add(DateTimeOffset at, long ended)
    {
        if (_samples.Count > 0 && ended < _samples.Last().Ended)
        {
            _samples.Clear(); // A redrive or a new generation moved batches back: the old samples say nothing about now.
        }
        _samples.Enqueue((at, ended));
        while (_samples.Count > 2 && at - _samples.Peek().At > window)
        {
            _samples.Dequeue();
        }
        var first = _samples.Peek();
        var seconds = (at - first.At).TotalSeconds;
        Rate = _samples.Count >= 2 && seconds > 0 ? (ended - first.Ended) / seconds : null;
    }

    /// <summary>Time left for <paramref name="remaining"/> batches at the current rate; null when there is no rate yet.</summary>
    public TimeSpan? Eta(long remaining) => remaining <= 0
        ? TimeSpan.Zero
        : Rate is > 0 and var rate ? TimeSpan.FromSeconds(Math.Min(remaining / rate, TimeSpan.MaxValue.TotalSeconds / 2)) : null;
}
