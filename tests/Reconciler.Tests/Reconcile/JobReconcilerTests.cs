using Coordinator.Controllers;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Errors;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;
using Coordinator.Reconciler.Reconcile;
using Coordinator.Testing.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Coordinator.Reconciler.Tests.Reconcile;

public sealed class JobReconcilerTests : IDisposable
{
    private readonly InMemoryStateStore _store = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero));
    private readonly CoordinatorMetrics _metrics = new();
    private readonly ListingScheduler _scheduler = new();

    [Fact]
    public async Task A_new_job_gets_generation_one_observedGeneration_and_a_saved_status()
    {
        _store.UserPut(ValidJob("wc"));

        var result = await Reconciler(new ValidationController()).ReconcileAsync(new JobKey("wc"), default);

        var job = _store.Peek("wc")!;
        Assert.Equal(ReconcileResult.Done, result);
        Assert.Equal(1, job.Generation);
        Assert.Equal(1, job.Status.ObservedGeneration);
        Assert.Equal(2, job.Version); // the new generation is committed before the controllers run, then the pass's status
        Assert.Equal(JobPhase.Pending, job.Status.Phase);
        Assert.True(StatusEditor.IsTrue(job.Status, ConditionTypes.Valid, 1));
    }

    [Fact]
    public async Task A_second_pass_with_nothing_changed_writes_nothing()
    {
        _store.UserPut(ValidJob("wc"));
        var reconciler = Reconciler(new ValidationController());
        await reconciler.ReconcileAsync(new JobKey("wc"), default);
        Assert.Equal(2, _store.StatusWrites); // the generation commit, then the pass's status

        _time.Advance(TimeSpan.FromMinutes(5));
        await reconciler.ReconcileAsync(new JobKey("wc"), default);

        Assert.Equal(2, _store.StatusWrites);
    }

    [Fact]
    public async Task An_invalid_spec_becomes_phase_Invalid_with_every_error_and_is_not_requeued()
    {
        var job = ValidJob("bad");
        job.Spec.Batching = new BatchingSpec();
        job.Spec.Handler.Command = [];
        _store.UserPut(job);
        var later = new RecordingController("partition", 100, ControllerResult.Continue);

        var result = await Reconciler(new ValidationController(), later).ReconcileAsync(new JobKey("bad"), default);

        var stored = _store.Peek("bad")!;
        Assert.Equal(ReconcileResult.Done, result);
        Assert.Equal(JobPhase.Invalid, stored.Status.Phase);
        Assert.Contains("spec.batching", stored.Status.Message);
        Assert.Contains("spec.handler.command", stored.Status.Message);
        Assert.True(StatusEditor.IsFalse(stored.Status, ConditionTypes.Valid));
        Assert.Equal(0, later.Calls);
    }

    [Fact]
    public async Task Decode_errors_make_the_job_Invalid_naming_them()
    {
        var job = ValidJob("undecodable");
        job.DecodeErrors.Add("spec.batching.maxRecords: expected a number (N), got S \"ten\"");
        _store.UserPut(job);

        await Reconciler(new ValidationController()).ReconcileAsync(new JobKey("undecodable"), default);

        var stored = _store.Peek("undecodable")!;
        Assert.Equal(JobPhase.Invalid, stored.Status.Phase);
        Assert.Contains("got S \"ten\"", stored.Status.Message);
    }

    [Fact]
    public async Task Fixing_an_invalid_spec_starts_a_new_generation_from_Pending()
    {
        var job = ValidJob("fixme");
        job.Spec.Batching = new BatchingSpec();
        _store.UserPut(job);
        var reconciler = Reconciler(new ValidationController());
        await reconciler.ReconcileAsync(new JobKey("fixme"), default);

        var fixedJob = _store.Peek("fixme")!;
        fixedJob.Spec.Batching.MaxRecords = 10;
        _store.UserPut(fixedJob); // like put-item
        await reconciler.ReconcileAsync(new JobKey("fixme"), default);

        var stored = _store.Peek("fixme")!;
        Assert.Equal(JobPhase.Pending, stored.Status.Phase);
        Assert.Equal(stored.Generation, stored.Status.ObservedGeneration);
        Assert.True(StatusEditor.IsTrue(stored.Status, ConditionTypes.Valid, stored.Generation));
    }

    [Fact]
    public async Task A_replaced_item_continues_after_the_generation_its_tasks_used()
    {
        _store.UserPut(ValidJob("again"));
        await _store.PutTasksAsync([new JobTask { Job = "again", Index = 0, Generation = 4 }], default);

        await Reconciler(new ValidationController()).ReconcileAsync(new JobKey("again"), default);

        Assert.Equal(5, _store.Peek("again")!.Generation);
    }

    [Fact]
    public async Task Controllers_run_in_order_until_one_stops_and_the_shortest_requeue_wins()
    {
        _store.UserPut(ValidJob("order"));
        var log = new List<string>();
        var dispatch = new RecordingController("dispatch", 300, ControllerResult.Continue, log);
        var store = new RecordingController("store", 200, ControllerResult.StopAndRequeueAfter(TimeSpan.FromSeconds(30)), log);
        var partition = new RecordingController("partition", 100, ControllerResult.ContinueAndRequeueAfter(TimeSpan.FromSeconds(5)), log);

        var result = await Reconciler(dispatch, store, new ValidationController(), partition).ReconcileAsync(new JobKey("order"), default);

        Assert.Equal(["partition", "store"], log);
        Assert.Equal(ReconcileResult.RequeueAfter(TimeSpan.FromSeconds(5)), result);
    }

    [Fact]
    public async Task A_status_write_that_loses_to_a_concurrent_change_surfaces_as_a_conflict()
    {
        _store.UserPut(ValidJob("race"));
        var meddler = new DelegateController("meddler", 100, ctx =>
        {
            _store.Touch("race");
            StatusEditor.SetPhase(ctx, JobPhase.Partitioning);
            return ControllerResult.Continue;
        });

        await Assert.ThrowsAsync<ConflictException>(() => Reconciler(new ValidationController(), meddler).ReconcileAsync(new JobKey("race"), default));
    }

    [Fact]
    public async Task An_illegal_phase_move_is_terminal()
    {
        _store.UserPut(ValidJob("bug"));
        var buggy = new DelegateController("buggy", 100, ctx =>
        {
            StatusEditor.SetPhase(ctx, JobPhase.Succeeded);
            return ControllerResult.Continue;
        });

        var error = await Assert.ThrowsAsync<TerminalReconcileException>(() => Reconciler(buggy).ReconcileAsync(new JobKey("bug"), default));
        Assert.IsType<IllegalPhaseTransitionException>(error.InnerException);
    }

    [Fact]
    public async Task A_deleted_job_is_done_without_running_controllers()
    {
        var controller = new RecordingController("partition", 100, ControllerResult.Continue);

        Assert.Equal(ReconcileResult.Done, await Reconciler(controller).ReconcileAsync(new JobKey("nope"), default));
        Assert.Equal(0, controller.Calls);
    }

    [Fact]
    public async Task A_controller_that_saved_mid_pass_is_not_saved_again_when_nothing_else_changed()
    {
        _store.UserPut(ValidJob("intent"));
        var reconciler = Reconciler(new ValidationController());
        await reconciler.ReconcileAsync(new JobKey("intent"), default);
        var saver = new DelegateController("dispatch", 300, ctx =>
        {
            ctx.Job.Status.Message = "dispatch intent written";
            ctx.SaveStatusAsync(default).GetAwaiter().GetResult();
            return ControllerResult.Continue;
        });

        await Reconciler(new ValidationController(), saver).ReconcileAsync(new JobKey("intent"), default);

        Assert.Equal(3, _store.StatusWrites); // first pass: generation commit + status; second pass: the controller's save only
        Assert.Equal("dispatch intent written", _store.Peek("intent")!.Status.Message);
    }

    [Fact]
    public async Task A_spec_edit_cancels_the_old_generations_live_submissions_and_only_those_of_this_job()
    {
        _store.UserPut(ValidJob("edit"));
        var reconciler = Reconciler(new ValidationController());
        await reconciler.ReconcileAsync(new JobKey("edit"), default);
        _scheduler.Seed("41", "edit", SchedulerTaskState.Running);
        _scheduler.Seed("42", "edit", SchedulerTaskState.Completed);
        _scheduler.Seed("43", "other", SchedulerTaskState.Running);

        var edited = _store.Peek("edit")!;
        edited.Spec.Batching.MaxRecords = 7;
        _store.UserPut(edited); // like put-item
        await _store.PutTasksAsync([new JobTask { Job = "edit", Index = 0, Generation = 1 }], default); // what generation 1 stored
        await reconciler.ReconcileAsync(new JobKey("edit"), default);

        Assert.Equal(2, _store.Peek("edit")!.Generation);
        Assert.Equal(["41"], _scheduler.Cancelled);
    }

    [Fact]
    public async Task A_first_pass_that_stores_tasks_and_then_fails_does_not_start_a_second_generation()
    {
        // Issue 14, defect 2: the pass partitions and stores (task items of generation 1), then fails before its first
        // status write (squeue unreachable). The spec was never edited, so every later pass keeps generation 1.
        _store.UserPut(ValidJob("early"));
        var squeueDown = true;
        var store = new DelegateController("store", 200, context =>
        {
            _store.PutTasksAsync([new JobTask { Job = "early", Index = 0, Generation = context.Job.Generation }], default).GetAwaiter().GetResult();
            return ControllerResult.Continue;
        });
        var dispatch = new DelegateController("dispatch", 300, _ =>
            squeueDown ? throw new SchedulerException("squeue: Unable to contact slurm controller", transient: true) : ControllerResult.Continue);
        var reconciler = Reconciler(new ValidationController(), store, dispatch);
        await Assert.ThrowsAsync<SchedulerException>(() => reconciler.ReconcileAsync(new JobKey("early"), default));
        _scheduler.Seed("71", "early", SchedulerTaskState.Running);

        await Assert.ThrowsAsync<SchedulerException>(() => reconciler.ReconcileAsync(new JobKey("early"), default));
        squeueDown = false;
        await reconciler.ReconcileAsync(new JobKey("early"), default);

        var job = _store.Peek("early")!;
        Assert.Equal(1, job.Generation);
        Assert.Equal(1, job.Status.ObservedGeneration);
        Assert.Equal(1, _store.Stored("early", 0).Generation);
        Assert.Empty(_scheduler.Cancelled);
    }

    [Fact]
    public async Task A_pass_that_keeps_the_generation_cancels_nothing()
    {
        _store.UserPut(ValidJob("steady"));
        var reconciler = Reconciler(new ValidationController());
        await reconciler.ReconcileAsync(new JobKey("steady"), default);
        _scheduler.Seed("51", "steady", SchedulerTaskState.Running);

        _store.Touch("steady"); // another writer changed the item, not the spec
        await reconciler.ReconcileAsync(new JobKey("steady"), default);

        Assert.Equal(1, _store.Peek("steady")!.Generation);
        Assert.Empty(_scheduler.Cancelled);
    }

    [Fact]
    public async Task A_deleted_jobs_live_submissions_are_cancelled()
    {
        _scheduler.Seed("61", "gone", SchedulerTaskState.Pending);
        _scheduler.Seed("62", "gone", SchedulerTaskState.Failed);

        Assert.Equal(ReconcileResult.Done, await Reconciler(new ValidationController()).ReconcileAsync(new JobKey("gone"), default));
        Assert.Equal(["61"], _scheduler.Cancelled);
    }

    [Fact]
    public async Task A_reconcile_error_that_repeats_is_one_Warning_event_on_the_job_whose_count_grows_at_a_bounded_write_rate()
    {
        // Issue 15 path 5: an exception out of a controller used to be only in the daemon's log, retried forever.
        _store.UserPut(ValidJob("err"));
        var failing = new DelegateController("dispatch", 300, _ => throw new SchedulerException("sbatch printed garbage", transient: false));
        var reconciler = Reconciler(new ValidationController(), failing);
        var started = _time.GetUtcNow();
        for (var pass = 0; pass < 5; pass++)
        {
            await Assert.ThrowsAsync<SchedulerException>(() => reconciler.ReconcileAsync(new JobKey("err"), default));
            _time.Advance(TimeSpan.FromSeconds(5));
        }
        var first = Assert.Single(_store.Peek("err")!.Status.Events);
        Assert.Equal((JobEventTypes.Warning, "ReconcileError", "dispatch: sbatch printed garbage", 1L),
            (first.Type, first.Reason, first.Message, first.Count));
        var writes = _store.StatusWrites;

        _time.Advance(TimeSpan.FromSeconds(10)); // 35 s after the first: the repeats are written, once
        await Assert.ThrowsAsync<SchedulerException>(() => reconciler.ReconcileAsync(new JobKey("err"), default));

        var repeated = Assert.Single(_store.Peek("err")!.Status.Events);
        Assert.Equal(6, repeated.Count);
        Assert.Equal(started, repeated.FirstTimestamp);
        Assert.Equal(_time.GetUtcNow(), repeated.LastTimestamp);
        Assert.Equal(writes + 1, _store.StatusWrites);
    }

    [Fact]
    public async Task Events_survive_a_spec_edit_that_starts_a_new_generation()
    {
        _store.UserPut(ValidJob("kept"));
        var fail = true;
        var failing = new DelegateController("store", 200, _ => fail ? throw new InvalidOperationException("disk full") : ControllerResult.Continue);
        var reconciler = Reconciler(new ValidationController(), failing);
        await Assert.ThrowsAsync<InvalidOperationException>(() => reconciler.ReconcileAsync(new JobKey("kept"), default));
        fail = false;

        var edited = _store.Peek("kept")!;
        edited.Spec.Batching.MaxRecords = 7;
        await _store.PutJobSpecAsync(edited, replace: true, default); // update-item of the spec: status stays
        await reconciler.ReconcileAsync(new JobKey("kept"), default);

        var job = _store.Peek("kept")!;
        Assert.Equal(2, job.Generation);
        Assert.Equal("store: InvalidOperationException: disk full", Assert.Single(job.Status.Events).Message); // not one of ours: the type is named
    }

    public void Dispose() => _metrics.Dispose();

    private JobReconciler Reconciler(params IJobController[] controllers) =>
        new(_store, controllers, new CoordinatorOptions(), _metrics, NullLogger<JobReconciler>.Instance, _time, _scheduler);

    internal static Job ValidJob(string name) => new()
    {
        Name = name,
        Spec = new JobSpec
        {
            Input = new InputSpec { Uri = "s3://data/in/" },
            Batching = new BatchingSpec { MaxRecords = 1000 },
            Handler = new HandlerSpec { Command = ["python3", "wc.py"] },
            Output = new OutputSpec { Uri = "s3://data/out/" },
        },
    };

    private sealed class RecordingController(string name, int order, ControllerResult result, List<string>? log = null) : IJobController
    {
        public int Calls { get; private set; }
        public string Name => name;
        public int Order => order;

        public Task<ControllerResult> ReconcileAsync(JobContext context, CancellationToken ct)
        {
            Calls++;
            log?.Add(name);
            return Task.FromResult(result);
        }
    }

    private sealed class DelegateController(string name, int order, Func<JobContext, ControllerResult> body) : IJobController
    {
        public string Name => name;
        public int Order => order;
        public Task<ControllerResult> ReconcileAsync(JobContext context, CancellationToken ct) => Task.FromResult(body(context));
    }
}
