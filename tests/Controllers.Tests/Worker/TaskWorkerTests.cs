using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coordinator.Controllers.Tasks;
using Coordinator.Model.Spec;
using Coordinator.Model.Tasks;
using Coordinator.Worker;

namespace Coordinator.Controllers.Tests.Worker;

/// <summary>The worker against real handler processes and the real file:// object store; only the state store is in memory.</summary>
public sealed class TaskWorkerTests : IDisposable
{
    private readonly WorkerFixture _fx = new();
    private static readonly WorkerIdentity Here = new("node1", "77", "0");

    public void Dispose() => _fx.Dispose();

    private Task<TaskRunOutcome> Run(Job job, int index = 0, CancellationToken disruption = default) =>
        _fx.Worker().RunAsync(job, index, Here, disruption, default);

    [Fact]
    public async Task Run_CatHandlerSucceedsAndUploadsResultWithItsChecksumAndCounts()
    {
        var job = await _fx.SeedAsync(WorkerFixture.NewJob("cat", "cat"), 1);
        Assert.Equal(TaskRunOutcome.Recorded, await Run(job));
        var task = _fx.State.Stored("cat", 0);
        Assert.Equal((TaskState.Succeeded, 1, 0, 3L), (task.State, task.Attempt, task.ExitCode, task.OutputRecords));
        var result = _fx.ReadResult(job, 0);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(result))), task.ResultSha256);
        Assert.Contains("\"record\":2", result, StringComparison.Ordinal);
        Assert.Equal(("node1", "77"), (task.Host, task.SlurmJobId));
        Assert.Empty(Directory.GetDirectories(_fx.WorkerOptions.ScratchRoot));
    }

    [Fact]
    public async Task Run_FileModeHandlerGetsPathsAndCoordinatorEnvironmentButNoAwsCredentials()
    {
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "must-not-leak");
        const string Script = """
            import os, json
            with open(os.environ["COORDINATOR_OUTPUT"], "w") as out:
                for line in open(os.environ["COORDINATOR_INPUT"]):
                    out.write(json.dumps({"env": {k: v for k, v in os.environ.items() if k.startswith(("COORDINATOR_", "AWS_", "MODEL"))}}) + "\n")
            """;
        var job = WorkerFixture.NewJob("filemode", "python3", "-c", Script);
        job.Spec.Handler.Mode = HandlerMode.File;
        job.Spec.Handler.Env["MODEL"] = "small";
        job = await _fx.SeedAsync(job, 2);
        Assert.Equal(TaskRunOutcome.Recorded, await Run(job, 1));
        var task = _fx.State.Stored("filemode", 1);
        Assert.Equal(TaskState.Succeeded, task.State);
        using var line = JsonDocument.Parse(_fx.ReadResult(job, 1).Split('\n')[0]);
        var env = line.RootElement.GetProperty("env");
        Assert.Equal("filemode", env.GetProperty("COORDINATOR_JOB").GetString());
        Assert.Equal("1", env.GetProperty("COORDINATOR_BATCH").GetString());
        Assert.Equal("1", env.GetProperty("COORDINATOR_ATTEMPT").GetString());
        Assert.Equal("small", env.GetProperty("MODEL").GetString());
        Assert.EndsWith("input.jsonl", env.GetProperty("COORDINATOR_INPUT").GetString(), StringComparison.Ordinal);
        Assert.False(env.TryGetProperty("AWS_SECRET_ACCESS_KEY", out _));
    }

    [Fact]
    public async Task Run_ChecksumMismatchIsNeverProcessed()
    {
        var canary = Path.Combine(_fx.Root, "ran");
        var job = await _fx.SeedAsync(WorkerFixture.NewJob("sha", "touch", canary), 1, corruptFirst: true);
        await Run(job);
        var task = _fx.State.Stored("sha", 0);
        Assert.False(File.Exists(canary));
        Assert.Equal(TaskState.Pending, task.State);
        Assert.StartsWith("ChecksumMismatch", task.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ATaskItemWhoseInputKeyIsNotTheLayoutsIsRefusedAndNothingIsRead()
    {
        var canary = Path.Combine(_fx.Root, "ran");
        var other = await _fx.SeedAsync(WorkerFixture.NewJob("other", "cat"), 1);
        var job = await _fx.SeedAsync(WorkerFixture.NewJob("tampered", "touch", canary), 1);
        var task = _fx.State.Stored("tampered", 0);
        task.InputKey = _fx.State.Stored("other", 0).InputKey;
        task.InputSha256 = _fx.State.Stored("other", 0).InputSha256;
        await _fx.State.UpdateTaskAsync(task, default);

        await Run(job);

        task = _fx.State.Stored("tampered", 0);
        Assert.False(File.Exists(canary));
        Assert.StartsWith("LayoutMismatch: task 0 of job tampered: input key does not match the job's layout (expected ", task.Reason, StringComparison.Ordinal);
        Assert.Contains("/jobs/other/", task.Reason, StringComparison.Ordinal);
        Assert.NotNull(other);
    }

    [Fact]
    public async Task Run_MissingHandlerFailsWithClearStderrTail()
    {
        var job = await _fx.SeedAsync(WorkerFixture.NewJob("missing", "/no/such/handler"), 1);
        await Run(job);
        var task = _fx.State.Stored("missing", 0);
        Assert.StartsWith("BadHandler", task.Reason, StringComparison.Ordinal);
        Assert.Contains("/no/such/handler", task.StderrTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NotExecutableHandlerFails()
    {
        var script = Path.Combine(_fx.Root, "plain.txt");
        await File.WriteAllTextAsync(script, "not a program");
        var job = await _fx.SeedAsync(WorkerFixture.NewJob("noexec", script), 1);
        await Run(job);
        Assert.Contains("cannot start handler", _fx.State.Stored("noexec", 0).StderrTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InvalidJsonlOutputFailsNamingTheLine()
    {
        var job = await _fx.SeedAsync(WorkerFixture.NewJob("badjson", "python3", "-c", "print('{\"ok\":1}'); print('not json')"), 1);
        await Run(job);
        var task = _fx.State.Stored("badjson", 0);
        Assert.StartsWith("BadHandler", task.Reason, StringComparison.Ordinal);
        Assert.Contains("line 2", task.Reason, StringComparison.Ordinal);
        Assert.Contains("line 2", task.StderrTail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HandlerMode.Stdio)]
    [InlineData(HandlerMode.File)]
    public async Task Run_RecordsTheHandlerRejectsGoToTheAttemptsRejectsObjectAndAreCounted(HandlerMode mode)
    {
        const string Script = """
            import os, sys, json
            stdio = "COORDINATOR_INPUT" not in os.environ
            src = sys.stdin if stdio else open(os.environ["COORDINATOR_INPUT"])
            out = sys.stdout if stdio else open(os.environ["COORDINATOR_OUTPUT"], "w")
            with open(os.environ["COORDINATOR_REJECTS"], "a") as rejects:
                for line in src:
                    r = json.loads(line)
                    if r["record"] == 1:
                        rejects.write(json.dumps({"record": r, "reason": "record 1 is odd"}) + "\n")
                    else:
                        out.write(json.dumps(r) + "\n")
            out.flush()
            """;
        var job = WorkerFixture.NewJob("rejects-" + mode.ToString().ToLowerInvariant(), "python3", "-c", Script);
        job.Spec.Handler.Mode = mode;
        job = await _fx.SeedAsync(job, 1);
        Assert.Equal(TaskRunOutcome.Recorded, await Run(job));
        var task = _fx.State.Stored(job.Name, 0);
        Assert.True(task.State == TaskState.Succeeded, $"{task.State} {task.Reason} {task.StderrTail}");
        Assert.Equal((2L, 1L), (task.OutputRecords, task.RejectedRecords));
        Assert.Equal(_fx.Options.LayoutFor(job).Rejects(0, 1).ToString(), task.RejectsKey);
        var rejects = File.ReadAllText(new Uri(task.RejectsKey!).LocalPath);
        Assert.Equal("{\"record\": {\"batch\": 0, \"record\": 1}, \"reason\": \"record 1 is odd\"}\n", rejects);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(rejects))), task.RejectsSha256);
    }

    [Fact]
    public async Task Run_ARejectWithoutAReasonFailsTheBatchNamingTheLine()
    {
        const string Script = "import os, sys\nsys.stdout.write(sys.stdin.read())\nopen(os.environ['COORDINATOR_REJECTS'], 'a').write('{\"record\": 1, \"reason\": \"ok\"}\\n{\"record\": 2}\\n')";
        var job = await _fx.SeedAsync(WorkerFixture.NewJob("reject-noreason", "python3", "-c", Script), 1);
        await Run(job);
        var task = _fx.State.Stored("reject-noreason", 0);
        Assert.StartsWith("BadHandler: $COORDINATOR_REJECTS line 2 has no \"reason\" string", task.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TheHandlerStartsInHandlerWorkingDirectoryAndAMissingOneFailsNamingIt()
    {
        var models = Directory.CreateDirectory(Path.Combine(_fx.Root, "models")).FullName;
        await File.WriteAllTextAsync(Path.Combine(models, "weights.txt"), "w");
        var job = WorkerFixture.NewJob("wd", "python3", "-c", "import sys, os, json\nfor line in sys.stdin: print(json.dumps({'cwd': os.getcwd(), 'w': open('weights.txt').read()}))");
        job.Spec.Handler.WorkingDirectory = models;
        job = await _fx.SeedAsync(job, 1, recordsPerBatch: 1);
        await Run(job);
        Assert.Equal(TaskState.Succeeded, _fx.State.Stored("wd", 0).State);
        Assert.Equal($"{{\"cwd\": \"{models}\", \"w\": \"w\"}}\n", _fx.ReadResult(job, 0));

        var missing = WorkerFixture.NewJob("wd-missing", "cat");
        missing.Spec.Handler.WorkingDirectory = "/no/such/dir";
        missing = await _fx.SeedAsync(missing, 1);
        await Run(missing);
        var task = _fx.State.Stored("wd-missing", 0);
        Assert.StartsWith("BadHandler", task.Reason, StringComparison.Ordinal);
        Assert.Contains("handler.workingDirectory /no/such/dir does not exist on this node", task.StderrTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_AnOutputRecordOverTheRecordSizeLimitFailsTheBatchNamingTheLineAndTheLimit()
    {
        // 64 MiB is the largest record the coordinator accepts anywhere (BatchLimits.HardRecordLimitBytes).
        var job = WorkerFixture.NewJob("huge", "python3", "-c", "import sys\nsys.stdin.read()\nprint('{\"ok\": 1}')\nsys.stdout.write('{\"x\": \"' + 'a' * (64 << 20) + '\"}\\n')");
        job.Spec.Retry.MaxAttempts = 1;
        job = await _fx.SeedAsync(job, 1);
        await Run(job);
        var task = _fx.State.Stored("huge", 0);
        Assert.StartsWith("BadHandler: handler output line 2 is 67108873 bytes, over the limit of 67108864 bytes for one record", task.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_AFilterThatKeepsNoRecordOfItsBatchSucceedsWithZeroOutputRecords()
    {
        var job = await _fx.SeedAsync(WorkerFixture.NewJob("filter", "python3", "-c", "import sys, json\nfor line in sys.stdin:\n    if json.loads(line)['record'] > 99: print(line, end='')"), 1);
        Assert.Equal(TaskRunOutcome.Recorded, await Run(job));
        var task = _fx.State.Stored("filter", 0);
        Assert.True(task.State == TaskState.Succeeded, $"{task.State} {task.Reason}");
        Assert.Equal((0L, 3L), (task.OutputRecords, task.InputRecords));
        Assert.Equal("", _fx.ReadResult(job, 0));
    }

    [Fact]
    public async Task Run_HandlerIgnoringSigtermIsKilledAfterTimeoutAndTheBatchFailsOnLastAttempt()
    {
        var job = WorkerFixture.NewJob("hang", "python3", "-c", "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(60)");
        job.Spec.Handler.Timeout = TimeSpan.FromMilliseconds(500);
        job.Spec.Retry.MaxAttempts = 1;
        job = await _fx.SeedAsync(job, 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Run(job);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        var task = _fx.State.Stored("hang", 0);
        Assert.Equal(TaskState.Failed, task.State);
        Assert.StartsWith("Timeout", task.Reason, StringComparison.Ordinal);
        Assert.Contains("timeout", task.StderrTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FailJobRuleMarksTheBatchAsFailingTheJobAndKeepsStderrTail()
    {
        var job = WorkerFixture.NewJob("failjob", "python3", "-c", "import sys; sys.stderr.write('x' * 10000 + 'THE END'); sys.exit(42)");
        job.Spec.Retry.Rules.Add(new RetryRule { Action = RetryAction.FailJob, OnExitCodes = [42] });
        job = await _fx.SeedAsync(job, 1);
        await Run(job);
        var task = _fx.State.Stored("failjob", 0);
        Assert.Equal((TaskState.Failed, 42), (task.State, task.ExitCode));
        Assert.StartsWith(TaskTransitions.FailJobReason, task.Reason, StringComparison.Ordinal);
        Assert.Equal(TaskVerdict.FailJob, task.Verdict);
        Assert.EndsWith("THE END", task.StderrTail, StringComparison.Ordinal);
        Assert.InRange(Encoding.UTF8.GetByteCount(task.StderrTail!), 4000, 4096);
    }

    [Fact]
    public async Task Run_DisruptionIsRecordedUncounted()
    {
        var job = await _fx.SeedAsync(WorkerFixture.NewJob("preempt", "sleep", "30"), 1);
        using var sigterm = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Run(job, 0, sigterm.Token);
        var task = _fx.State.Stored("preempt", 0);
        Assert.Equal((TaskState.Pending, 0), (task.State, task.Attempt));
        Assert.StartsWith("Disrupted", task.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_HandlerKilledBySigtermJustBeforeTheWorkersOwnSigtermIsADisruption()
    {
        // What scancel does: SIGTERM to every process of the step. Here the handler gets it first and dies (exit 143);
        // the worker's own signal lands a moment later.
        var job = WorkerFixture.NewJob("scancelled", "python3", "-c", "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)");
        job.Spec.Retry.MaxAttempts = 1;
        job = await _fx.SeedAsync(job, 1);
        using var sigterm = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await Run(job, 0, sigterm.Token);
        var task = _fx.State.Stored("scancelled", 0);
        Assert.Equal((TaskState.Pending, 0), (task.State, task.Attempt));
        Assert.StartsWith("Disrupted", task.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_HandlerKilledBySigtermWithoutTheWorkerBeingSignalledIsACountedFailure()
    {
        var job = WorkerFixture.NewJob("selfkill", "python3", "-c", "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)");
        job.Spec.Retry.MaxAttempts = 1;
        job = await _fx.SeedAsync(job, 1);
        await Run(job);
        var task = _fx.State.Stored("selfkill", 0);
        Assert.Equal((TaskState.Failed, 143), (task.State, task.ExitCode));
    }

    [Fact]
    public async Task Run_DoesNotClaimASucceededTask()
    {
        var job = await _fx.SeedAsync(WorkerFixture.NewJob("twice", "cat"), 1);
        await Run(job);
        Assert.Equal(TaskRunOutcome.NotClaimed, await Run(job));
        Assert.Equal(1, _fx.State.Stored("twice", 0).Attempt);
    }

    [Fact]
    public async Task Run_HeartbeatsWhileTheHandlerRuns()
    {
        var job = await _fx.SeedAsync(WorkerFixture.NewJob("beat", "python3", "-c", "import time, sys; time.sleep(1.5); sys.stdout.write(sys.stdin.read())"), 1);
        var before = _fx.State.TaskWrites;
        await Run(job);
        // claim + at least 4 beats at 100 ms (of about 14 in the 1.5 s the handler sleeps; 0.8 s gave only 3 beats on a loaded CI machine) + outcome
        Assert.True(_fx.State.TaskWrites - before >= 6, $"{_fx.State.TaskWrites - before} writes");
        Assert.Equal(TaskState.Succeeded, _fx.State.Stored("beat", 0).State);
    }

    [Fact]
    public async Task Run_RecordsItsAttemptsOwnResultKeyWithTheSha256AndETagOfThatObject()
    {
        var job = await _fx.SeedAsync(WorkerFixture.NewJob("keyed", "cat"), 1);
        Assert.Equal(TaskRunOutcome.Recorded, await Run(job));
        var task = _fx.State.Stored("keyed", 0);
        var expected = _fx.Options.LayoutFor(job).Prefix + "results/000000.a1.jsonl";
        Assert.Equal(expected, task.ResultKey);
        var head = await _fx.Store.HeadAsync(new Uri(task.ResultKey!), default);
        Assert.NotNull(head);
        Assert.False(string.IsNullOrEmpty(task.ResultETag), "no ETag recorded");
        Assert.Equal(head.ETag, task.ResultETag);
    }

    [Fact]
    public async Task Run_WhoseClaimWasTakenOverWhileTheHandlerRanNeitherUploadsNorRecords()
    {
        // No heartbeat falls between the takeover and the upload (as after a SIGSTOP): only a check before the upload
        // can notice the claim is gone.
        _fx.Options.Heartbeat.Interval = TimeSpan.FromHours(1);
        var job = await _fx.SeedAsync(WorkerFixture.NewJob("paused", "python3", "-c", "import time, sys; time.sleep(1.5); sys.stdout.write(sys.stdin.read())"), 1);
        var run = Run(job);
        for (var deadline = DateTime.UtcNow.AddSeconds(10); _fx.State.Stored("paused", 0).State != TaskState.Running; await Task.Delay(20))
        {
            Assert.True(DateTime.UtcNow < deadline, "never claimed");
        }
        // What the daemon does to a stale claim, then a second attempt's claim.
        var taken = await _fx.State.GetTaskAsync("paused", 0, default);
        TaskTransitions.RecordEnd(taken!, AttemptResult.Failed(Coordinator.Controllers.Retry.AttemptEndKind.Lost, "stale", ""), job.Spec.Retry, DateTimeOffset.UtcNow);
        taken!.Version = await _fx.State.UpdateTaskAsync(taken, default);
        TaskTransitions.Claim(taken, "node2", "78", "0", DateTimeOffset.UtcNow);
        await _fx.State.UpdateTaskAsync(taken, default);

        Assert.Equal(TaskRunOutcome.Superseded, await run);
        var task = _fx.State.Stored("paused", 0);
        Assert.Equal((TaskState.Running, 2, "node2"), (task.State, task.Attempt, task.Host));
        var results = new List<string>();
        await foreach (var info in _fx.Store.ListAsync(new Uri(_fx.Options.LayoutFor(job).Prefix + "results/"), default))
        {
            results.Add(info.Uri.ToString());
        }
        Assert.True(results.Count == 0, $"the superseded attempt uploaded {string.Join(", ", results)}");
    }
}
