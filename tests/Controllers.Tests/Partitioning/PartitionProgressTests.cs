using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Tests.Dispatch;
using Coordinator.Data.Storage;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Controllers.Tests.Partitioning;

/// <summary>
/// status.partition while a job partitions: written before reading and then at a bounded rate, reset by a restarted
/// pass, removed once partitioned; a lost progress write never loses stored batches nor restarts the partition.
/// Time is a manual clock that moves one second per batch the partitioner starts (<see cref="ClockedStore"/>).
/// </summary>
public sealed class PartitionProgressTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private readonly PartitionFixture _f = new();
    private readonly ManualClock _clock = new(Now);

    public void Dispose() => _f.Dispose();

    private sealed record Save(JobPhase Phase, PartitionProgress? Progress, DateTimeOffset At);

    private PartitionController Controller(IObjectStore store, TimeSpan interval) =>
        new(store, new CoordinatorOptions { DataRoot = new Uri(_f.Root + "/out/").ToString(), PartitionProgressInterval = interval },
            NullLogger<PartitionController>.Instance, CoordinatorMetrics.NoOp(), _clock);

    /// <summary>A context whose saves are recorded (a copy of status.partition each) and may be made to fail.</summary>
    private static JobContext Recording(Job job, List<Save> saves, Func<int, Exception?>? failSave = null) =>
        new(job, Now, (j, _) =>
        {
            if (failSave?.Invoke(saves.Count) is { } e)
                throw e;
            var p = j.Status.Partition;
            saves.Add(new Save(j.Status.Phase, p is null ? null : new PartitionProgress
            {
                BatchesCut = p.BatchesCut, BytesRead = p.BytesRead, BytesTotal = p.BytesTotal, Objects = p.Objects,
                StartedAt = p.StartedAt, UpdatedAt = p.UpdatedAt,
            }, p?.UpdatedAt ?? default));
            return Task.FromResult(j.Version + 1);
        });

    private (Job Job, long Bytes) FiftyBatches()
    {
        var text = string.Concat(Enumerable.Range(0, 500).Select(i => $"{{\"i\":{i}}}\n"));
        _f.Write("a.jsonl", text);
        return (PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, 10), text.Length);
    }

    [Fact]
    public async Task Progress_is_written_before_reading_then_every_interval_and_removed_once_partitioned()
    {
        var (job, bytes) = FiftyBatches();
        var saves = new List<Save>();

        var result = await Controller(new ClockedStore(_f.Store, _clock), TimeSpan.FromSeconds(2))
            .ReconcileAsync(Recording(job, saves), CancellationToken.None);

        Assert.Equal(ControllerResult.Continue, result);
        // The first write comes before any byte is read, with the total from the listing, and commits the phase.
        var first = saves[0];
        Assert.Equal(JobPhase.Partitioning, first.Phase);
        Assert.Equal((0L, 0L, bytes, 1L), (first.Progress!.BatchesCut, first.Progress.BytesRead, first.Progress.BytesTotal, first.Progress.Objects));
        // Then one write per 2 s of the clock (one second per batch): about every second batch, never every batch.
        Assert.InRange(saves.Count, 20, 27);
        for (var i = 1; i < saves.Count; i++)
        {
            var (before, after) = (saves[i - 1].Progress!, saves[i].Progress!);
            Assert.True(after.BatchesCut > before.BatchesCut && after.BytesRead >= before.BytesRead && after.BytesRead <= bytes,
                $"save {i}: {before.BatchesCut} batches/{before.BytesRead} B then {after.BatchesCut}/{after.BytesRead}");
            if (i > 1)
                Assert.True(saves[i].At - saves[i - 1].At >= TimeSpan.FromSeconds(2), $"save {i} {saves[i].At - saves[i - 1].At} after the last");
            Assert.Equal(first.Progress.StartedAt, after.StartedAt);
        }
        Assert.True(saves[^1].Progress!.BatchesCut >= 45, $"last progress write at {saves[^1].Progress!.BatchesCut} batches");
        // Partitioned: the progress is gone and the count is final.
        Assert.Null(job.Status.Partition);
        Assert.Equal(50, job.Status.Batches.Total);
        Assert.Equal("True", job.Status.Conditions.Find(c => c.Type == ConditionTypes.Partitioned)!.Status);
    }

    [Fact]
    public async Task A_lost_progress_write_stops_the_writes_but_the_partition_goes_on_to_its_commit()
    {
        var (job, _) = FiftyBatches();
        var saves = new List<Save>();
        var clocked = new ClockedStore(_f.Store, _clock);
        var failed = 0;

        var result = await Controller(clocked, TimeSpan.FromSeconds(2)).ReconcileAsync(
            Recording(job, saves, n => n == 3 ? new ConflictException($"job {job.Name} changed (conflict {++failed})") : null),
            CancellationToken.None);

        Assert.Equal(ControllerResult.Continue, result);
        Assert.Equal(1, failed); // no write was tried after the lost one
        Assert.Equal(3, saves.Count);
        Assert.Equal(50, clocked.Writes - 1); // 50 batches and the manifest, each written once
        Assert.Equal(50, job.Status.Batches.Total);

        // The requeued pass (the job re-read) finds the committed manifest: nothing is read or written again.
        var reread = PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, 10);
        reread.Status.Phase = JobPhase.Partitioning;
        var again = new ClockedStore(_f.Store, _clock);
        var resaves = new List<Save>();
        Assert.Equal(ControllerResult.Continue, await Controller(again, TimeSpan.FromSeconds(2)).ReconcileAsync(Recording(reread, resaves), CancellationToken.None));
        Assert.Equal(0, again.Writes);
        Assert.Empty(resaves);
        Assert.Equal(50, reread.Status.Batches.Total);
    }

    [Fact]
    public async Task A_restarted_pass_resets_the_progress_an_interrupted_one_left_and_counts_the_reused_batches()
    {
        var (job, bytes) = FiftyBatches();
        // What a killed daemon left: batches 0..29 stored, status.partition at 30 batches, minutes old.
        var interrupted = new ClockedStore(_f.Store, _clock) { FailAtWrite = 31 };
        var firstSaves = new List<Save>();
        await Assert.ThrowsAsync<IOException>(() =>
            Controller(interrupted, TimeSpan.Zero).ReconcileAsync(Recording(job, firstSaves), CancellationToken.None));
        var stale = job.Status.Partition!;
        Assert.True(stale.BatchesCut >= 29, $"interrupted at {stale.BatchesCut} batches");
        _clock.Advance(TimeSpan.FromMinutes(5));

        var saves = new List<Save>();
        var resumed = new ClockedStore(_f.Store, _clock);
        Assert.Equal(ControllerResult.Continue,
            await Controller(resumed, TimeSpan.FromSeconds(2)).ReconcileAsync(Recording(job, saves), CancellationToken.None));

        // The new pass's first write starts from zero, so the old figures never stand as this pass's.
        var first = saves[0].Progress!;
        Assert.Equal((0L, 0L, bytes), (first.BatchesCut, first.BytesRead, first.BytesTotal));
        Assert.True(first.StartedAt > stale.UpdatedAt, $"pass started {first.StartedAt}, stale progress of {stale.UpdatedAt}");
        // Reused batches count as cut; only the 20 missing ones and the manifest are written.
        Assert.Equal(21, resumed.Writes);
        Assert.Null(job.Status.Partition);
        Assert.Equal(50, job.Status.Batches.Total);
    }

    /// <summary>The file store, with the clock moved one second per object opened for writing (one per batch).</summary>
    private sealed class ClockedStore(IObjectStore inner, ManualClock clock) : IObjectStore
    {
        private int _writes;
        public int Writes => Volatile.Read(ref _writes);
        /// <summary>The write of this number (1-based) throws, as a lost connection would.</summary>
        public int? FailAtWrite { get; init; }

        public Task<ObjectInfo?> HeadAsync(Uri uri, CancellationToken ct) => inner.HeadAsync(uri, ct);
        public IAsyncEnumerable<ObjectInfo> ListAsync(Uri prefix, CancellationToken ct) => inner.ListAsync(prefix, ct);
        public Task<Stream> OpenReadAsync(Uri uri, CancellationToken ct, long offset = 0, long? length = null) => inner.OpenReadAsync(uri, ct, offset, length);
        public Task DeleteAsync(Uri uri, CancellationToken ct) => inner.DeleteAsync(uri, ct);

        public Task<IObjectWriter> OpenWriteAsync(Uri uri, CancellationToken ct)
        {
            var n = Interlocked.Increment(ref _writes);
            if (n == FailAtWrite)
                throw new IOException($"connection reset opening {uri}");
            clock.Advance(TimeSpan.FromSeconds(1));
            return inner.OpenWriteAsync(uri, ct);
        }
    }
}
