using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Coordinator.Controllers.Metrics;

/// <summary>
/// Every instrument of the daemon, on one <see cref="Meter"/> named "Coordinator", so dashboards have one place to
/// look and code has one place to call. It lives in the Controllers project (not the host) because the partition,
/// store, dispatch and status controllers record their own figures here. Instrument names follow OpenTelemetry
/// conventions (<c>coordinator.&lt;area&gt;.&lt;what&gt;</c>); tags are low-cardinality (controller, result, phase,
/// state, table, operation) and never carry a job name.
/// </summary>
public sealed class CoordinatorMetrics : IDisposable
{
    public const string MeterName = "Coordinator";

    /// <summary>Latency buckets in seconds, 1 ms to 5 min: reconciles and queue waits are mostly milliseconds.</summary>
    private static readonly InstrumentAdvice<double> LatencyBuckets = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    };

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly ConcurrentDictionary<string, long> _jobsByPhase = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _phaseOfJob = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _tasksByState = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, long>> _tasksOfJob = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, double> _streamLagSeconds = new(StringComparer.Ordinal);
    private Func<long> _queueDepth = static () => 0;
    private Func<long> _rememberedJobs = static () => 0;
    private int _isLeader;

    private readonly Counter<long> _reconciles;
    private readonly Histogram<double> _reconcileDuration;
    private readonly Counter<long> _queueAdds;
    private readonly Histogram<double> _queueLatency;
    private readonly Counter<long> _queueRetries;
    private readonly Counter<long> _streamRecords;
    private readonly Counter<long> _streamUndecodable;
    private readonly Counter<long> _streamIteratorRenewals;
    private readonly Counter<long> _streamGetRecordsCalls;
    private readonly Counter<long> _relists;
    private readonly Counter<long> _conflicts;
    private readonly Counter<long> _dynamoRetries;
    private readonly Counter<long> _records;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _slurmSubmissions;
    private readonly Histogram<double> _slurmLatency;
    private readonly Counter<long> _slurmErrors;
    private readonly Counter<long> _leaderTransitions;
    private readonly Counter<long> _failures;

    /// <summary>Uses the host's <see cref="IMeterFactory"/> when given (DI), else a private meter (see <see cref="NoOp"/>).</summary>
    public CoordinatorMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);

        _reconciles = _meter.CreateCounter<long>("coordinator.reconcile.count", "{reconcile}",
            "Controller passes, by controller and result (continue, stop, requeue, conflict, error, terminal).");
        _reconcileDuration = _meter.CreateHistogram<double>("coordinator.reconcile.duration", "s",
            "Duration of one controller pass, or of the whole pipeline (controller=\"pipeline\").", advice: LatencyBuckets);
        _queueAdds = _meter.CreateCounter<long>("coordinator.queue.adds", "{key}", "Keys added to the work queue.");
        _queueLatency = _meter.CreateHistogram<double>("coordinator.queue.latency", "s",
            "Time a key waited in the queue between becoming ready and being picked up.", advice: LatencyBuckets);
        _queueRetries = _meter.CreateCounter<long>("coordinator.queue.retries", "{key}", "Rate-limited re-adds after errors.");
        _meter.CreateObservableGauge("coordinator.queue.depth", () => _queueDepth(), "{key}", "Keys ready to be processed.");
        _meter.CreateObservableGauge("coordinator.memory.jobs", () => _rememberedJobs(), "{job}",
            "Per-job entries the daemon holds (task snapshots, waiting stream images, heartbeat watches, Slurm outage backoffs), summed: unfinished jobs only.");
        _streamRecords = _meter.CreateCounter<long>("coordinator.stream.records", "{record}", "Stream records read, by table.");
        _streamUndecodable = _meter.CreateCounter<long>("coordinator.stream.undecodable", "{record}",
            "Stream records that could not be decoded and were skipped, by table.");
        _streamIteratorRenewals = _meter.CreateCounter<long>("coordinator.stream.iterator_renewals", "{iterator}",
            "Shard iterators re-acquired after expiry, by table.");
        _streamGetRecordsCalls = _meter.CreateCounter<long>("coordinator.stream.get_records", "{call}",
            "GetRecords calls, by table.");
        _meter.CreateObservableGauge("coordinator.stream.lag", ObserveStreamLag, "s",
            "Age of the newest record read (now minus its approximate creation time), by table.");
        _relists = _meter.CreateCounter<long>("coordinator.feed.relists", "{list}", "Full lists of active jobs, by reason.");
        _conflicts = _meter.CreateCounter<long>("coordinator.state.conflicts", "{write}",
            "Conditional writes that lost to a concurrent change, by table.");
        _dynamoRetries = _meter.CreateCounter<long>("coordinator.state.retries", "{call}",
            "DynamoDB calls retried after throttling or a transient fault, by operation.");
        _meter.CreateObservableGauge("coordinator.leader", () => (long)Volatile.Read(ref _isLeader), "{leader}",
            "1 while this daemon holds the lease, else 0.");
        _leaderTransitions = _meter.CreateCounter<long>("coordinator.leader.transitions", "{transition}",
            "Leadership acquired or lost, by direction.");
        _meter.CreateObservableGauge("coordinator.jobs", ObserveJobs, "{job}", "Jobs by phase (from the last list).");
        _meter.CreateObservableGauge("coordinator.tasks", ObserveTasks, "{task}", "Tasks by state (from the last status pass).");
        _records = _meter.CreateCounter<long>("coordinator.records", "{record}", "Records processed, by kind (partition: input records split into batches; output and failed: counted when a job is aggregated).");
        _bytes = _meter.CreateCounter<long>("coordinator.bytes", "By", "Bytes processed, by kind (input, output).");
        _slurmSubmissions = _meter.CreateCounter<long>("coordinator.slurm.submissions", "{submission}", "sbatch submissions, by result.");
        _slurmLatency = _meter.CreateHistogram<double>("coordinator.slurm.latency", "s", "Latency of Slurm commands, by command.", advice: LatencyBuckets);
        _slurmErrors = _meter.CreateCounter<long>("coordinator.slurm.errors", "{error}", "Failed Slurm commands, by command and kind.");
        _failures = _meter.CreateCounter<long>("coordinator.failures", "{failure}",
            "Failures the daemon saw, by scope (job: a job ended Failed or Invalid; batch: a task the daemon declared lost) and reason.");
    }

    /// <summary>The meter itself, so a test can listen to exactly this instance's instruments.</summary>
    public Meter Meter => _meter;

    /// <summary>
    /// Metrics that are recorded but exported nowhere: what the CLI verbs, the worker and unit tests pass where the
    /// daemon passes its exported instance. Every type that records takes a <see cref="CoordinatorMetrics"/>, never null.
    /// </summary>
    public static CoordinatorMetrics NoOp() => new();

    public void ReconcileCompleted(string controller, string result, TimeSpan duration)
    {
        var tags = new TagList { { "controller", controller }, { "result", result } };
        _reconciles.Add(1, tags);
        _reconcileDuration.Record(duration.TotalSeconds, tags);
    }

    /// <summary>Registers the callback the queue-depth gauge reads (the work queue calls this once).</summary>
    public void ObserveQueueDepth(Func<long> depth) => _queueDepth = depth;

    /// <summary>Registers the callback the per-job-memory gauge reads (the reconciler calls this once).</summary>
    public void ObserveRememberedJobs(Func<long> jobs) => _rememberedJobs = jobs;
    public void QueueAdded() => _queueAdds.Add(1);
    public void QueueWaited(TimeSpan latency) => _queueLatency.Record(latency.TotalSeconds);
    public void QueueRetried() => _queueRetries.Add(1);

    public void StreamRecordsRead(string table, long count) => _streamRecords.Add(count, new KeyValuePair<string, object?>("table", table));
    public void StreamRecordUndecodable(string table) => _streamUndecodable.Add(1, new KeyValuePair<string, object?>("table", table));
    public void StreamIteratorRenewed(string table) => _streamIteratorRenewals.Add(1, new KeyValuePair<string, object?>("table", table));
    public void StreamGetRecordsCalled(string table) => _streamGetRecordsCalls.Add(1, new KeyValuePair<string, object?>("table", table));
    public void StreamLag(string table, TimeSpan lag) => _streamLagSeconds[table] = Math.Max(0, lag.TotalSeconds);
    public void Relisted(string reason) => _relists.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void ConflictOccurred(string table) => _conflicts.Add(1, new KeyValuePair<string, object?>("table", table));
    public void DynamoRetried(string operation) => _dynamoRetries.Add(1, new KeyValuePair<string, object?>("operation", operation));

    public void LeaderChanged(bool isLeader)
    {
        Volatile.Write(ref _isLeader, isLeader ? 1 : 0);
        _leaderTransitions.Add(1, new KeyValuePair<string, object?>("direction", isLeader ? "acquired" : "lost"));
    }

    /// <summary>
    /// Records the phase a reconcile left a job in; the jobs-by-phase gauge counts the last phase seen of every job
    /// this daemon reconciled (a job's name is kept only as a dictionary key, never as a tag).
    /// </summary>
    public void JobPhaseObserved(string jobName, string phase)
    {
        _phaseOfJob[jobName] = phase;
        CountPhases();
    }

    /// <summary>Forgets a deleted job so it no longer counts in jobs-by-phase.</summary>
    public void JobForgotten(string jobName)
    {
        if (_phaseOfJob.TryRemove(jobName, out _))
        {
            CountPhases();
        }
        if (_tasksOfJob.TryRemove(jobName, out _))
        {
            SumTasks();
        }
    }

    /// <summary>Replaces the jobs-by-phase snapshot (phases absent from <paramref name="counts"/> report 0).</summary>
    public void SetJobsByPhase(IReadOnlyDictionary<string, long> counts) => ReplaceSnapshot(_jobsByPhase, counts);
    /// <summary>Replaces the tasks-by-state snapshot (states absent from <paramref name="counts"/> report 0).</summary>
    public void SetTasksByState(IReadOnlyDictionary<string, long> counts) => ReplaceSnapshot(_tasksByState, counts);

    /// <summary>
    /// Records the task counts of one job's latest status pass; the tasks-by-state gauge is the sum over every job this
    /// daemon reconciled (the job name is a dictionary key only, never a tag).
    /// </summary>
    public void TasksObserved(string jobName, IReadOnlyDictionary<string, long> countsByState)
    {
        _tasksOfJob[jobName] = countsByState;
        SumTasks();
    }

    /// <summary>A job ended Failed or Invalid; <paramref name="reason"/> is its condition reason (see <see cref="FailureReasons"/>).</summary>
    public void JobFailed(string reason) => _failures.Add(1, new TagList { { "scope", "job" }, { "reason", reason } });
    /// <summary>A batch attempt failed as the daemon saw it (a lost worker); handler failures are recorded by workers in the task items.</summary>
    public void BatchFailed(string reason) => _failures.Add(1, new TagList { { "scope", "batch" }, { "reason", reason } });

    /// <summary>
    /// Publishes 0 for the series whose label values are known at start (conflicts per table, Slurm errors and
    /// submissions per command and kind, records and bytes per kind), so a dashboard shows "0 conflicts" rather than "no data" and rate() has a
    /// starting point when the first one happens. Counts stay exact: adding 0 changes no total.
    /// </summary>
    public void InitializeKnownSeries(IEnumerable<string> tables)
    {
        foreach (var table in tables)
        {
            _conflicts.Add(0, new KeyValuePair<string, object?>("table", table));
        }
        foreach (var command in (string[])["sbatch", "squeue", "scancel", "scontrol"])
        {
            foreach (var kind in (string[])["transient", "permanent"])
            {
                _slurmErrors.Add(0, new TagList { { "command", command }, { "kind", kind } });
            }
        }
        _slurmSubmissions.Add(0, new KeyValuePair<string, object?>("result", "ok"));
        _slurmSubmissions.Add(0, new KeyValuePair<string, object?>("result", "error"));
        foreach (var kind in (string[])["partition", "output", "failed"])
        {
            _records.Add(0, new KeyValuePair<string, object?>("kind", kind));
        }
        _bytes.Add(0, new KeyValuePair<string, object?>("kind", "partition"));
    }

    public void RecordsProcessed(string kind, long count) => _records.Add(count, new KeyValuePair<string, object?>("kind", kind));
    public void BytesProcessed(string kind, long bytes) => _bytes.Add(bytes, new KeyValuePair<string, object?>("kind", kind));

    public void SlurmSubmitted(string result) => _slurmSubmissions.Add(1, new KeyValuePair<string, object?>("result", result));
    public void SlurmCommandTook(string command, TimeSpan latency) =>
        _slurmLatency.Record(latency.TotalSeconds, new KeyValuePair<string, object?>("command", command));
    public void SlurmFailed(string command, string kind) =>
        _slurmErrors.Add(1, new TagList { { "command", command }, { "kind", kind } });

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static void ReplaceSnapshot(ConcurrentDictionary<string, long> target, IReadOnlyDictionary<string, long> counts)
    {
        foreach (var key in target.Keys)
        {
            if (!counts.ContainsKey(key))
            {
                target[key] = 0;
            }
        }
        foreach (var (key, value) in counts)
        {
            target[key] = value;
        }
    }

    private void CountPhases() => ReplaceSnapshot(_jobsByPhase,
        _phaseOfJob.Values.GroupBy(p => p, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal));

    private void SumTasks()
    {
        var sums = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var counts in _tasksOfJob.Values)
        {
            foreach (var (state, count) in counts)
            {
                sums[state] = sums.GetValueOrDefault(state) + count;
            }
        }
        ReplaceSnapshot(_tasksByState, sums);
    }

    private IEnumerable<Measurement<long>> ObserveJobs() =>
        _jobsByPhase.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("phase", p.Key)));

    private IEnumerable<Measurement<long>> ObserveTasks() =>
        _tasksByState.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("state", p.Key)));

    private IEnumerable<Measurement<double>> ObserveStreamLag() =>
        _streamLagSeconds.Select(p => new Measurement<double>(p.Value, new KeyValuePair<string, object?>("table", p.Key)));
}
