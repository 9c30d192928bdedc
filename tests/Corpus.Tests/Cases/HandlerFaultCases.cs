using System.Text.Json.Nodes;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Corpus.Tests.Cases;

/// <summary>
/// Handler faults on real Slurm (issue 6, "Bad input and faults"): each fails its batch with a clear stderr tail under
/// the retry policy (two attempts, so the retry is exercised), and the job then fails naming the batch. A batch whose
/// stored object was tampered with after Stored is never handed to the handler.
/// </summary>
public static class HandlerFaultCases
{
    public const string Category = "handler";

    /// <summary>One batch of 20 records, two attempts 1 s apart, then the given handler argv.</summary>
    private static void Handler(JsonObject item, string timeout, params string[] argv)
    {
        Section(item, "batching")["maxRecords"] = N(100);
        Section(item, "retry")["maxAttempts"] = N(2);
        Section(item, "handler")["command"] = L([.. argv.Select(S)]);
        Section(item, "handler")["timeout"] = S(timeout);
    }

    private static CorpusCase Case(string name, string message, string stderr, Action<JsonObject, CaseContext> edit, int attempts = 2) =>
        new(name, Category, "Failed", message)
        {
            Item = edit,
            Verify = async (stack, c, _) =>
            {
                var tasks = await stack.TasksAsync(c.Job);
                var task = Assert.Single(tasks);
                Assert.Equal(("Failed", attempts.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    (CaseOutcome.Text(task, "state"), CaseOutcome.Text(task, "attempt")));
                Assert.Contains(c.Expand(stderr), CaseOutcome.Text(task, "stderrTail"), StringComparison.Ordinal);
            },
        };

    public static IEnumerable<CorpusCase> All() =>
    [
        Case("handler-missing",
            "1 of 1 batches failed (tolerated: 0); batch 0: BadHandler: handler \"/nonexistent/corpus-handler\" could not be started; BadHandler on attempt 2 of 2",
            "coordinator: cannot start handler \"/nonexistent/corpus-handler\"",
            (i, _) => Handler(i, "1m", "/nonexistent/corpus-handler")),
        Case("handler-not-executable",
            "1 of 1 batches failed (tolerated: 0); batch 0: BadHandler: handler \"{work}/cases/{job}/handler.sh\" could not be started; BadHandler on attempt 2 of 2",
            "coordinator: cannot start handler \"{work}/cases/{job}/handler.sh\"",
            (i, c) =>
            {
                Directory.CreateDirectory(c.CaseDirectory);
                var script = Path.Combine(c.CaseDirectory, "handler.sh");
                File.WriteAllText(script, "#!/bin/sh\ncat\n");
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                }
                Handler(i, "1m", script);
            }),
        Case("handler-invalid-jsonl",
            "1 of 1 batches failed (tolerated: 0); batch 0: BadHandler: handler output line 1 is not valid JSON ('this is not json' is an invalid JSON literal. Expected the literal 'true'. LineNumber: 0 | BytePositionInLine: 1.): this is not json; BadHandler on attempt 2 of 2",
            "this is the handler's own complaint",
            (i, _) => Handler(i, "1m", "sh", "-c", "cat >/dev/null; echo 'this is not json'; echo \"this is the handler's own complaint\" >&2")),
        // A filter that keeps none of its batch's records is a success (issue 19): zero output records, one attempt.
        new CorpusCase("handler-exit-0-no-output", Category, "Succeeded", "{any}")
        {
            Item = (i, _) => Handler(i, "1m", "sh", "-c", "cat >/dev/null; echo 'nothing to say' >&2"),
            Verify = async (stack, c, _) =>
            {
                var task = Assert.Single(await stack.TasksAsync(c.Job));
                Assert.Equal(("Succeeded", "1", "0"), (CaseOutcome.Text(task, "state"), CaseOutcome.Text(task, "attempt"), CaseOutcome.Text(task, "outputRecords")));
            },
        },
        Case("handler-hangs-past-timeout",
            "1 of 1 batches failed (tolerated: 0); batch 0: Timeout: handler ran past its timeout of 2s; Timeout on attempt 2 of 2",
            "coordinator: handler ran past its timeout of 2s and was stopped (SIGTERM, then SIGKILL after",
            (i, _) => Handler(i, "2s", "sleep", "600")),
        Case("handler-exit-code-retried-then-failed",
            "1 of 1 batches failed (tolerated: 0); batch 0: HandlerExit: handler exited with code 3; exit code 3 on attempt 2 of 2",
            "boom on purpose",
            (i, _) => Handler(i, "1m", "sh", "-c", "cat >/dev/null; echo 'boom on purpose' >&2; exit 3")),
        Case("handler-exit-code-fails-job",
            "batch 0: FailJob: HandlerExit: handler exited with code 42; exit code 42 matches a FailJob rule",
            "fatal: model missing",
            (i, _) =>
            {
                Handler(i, "1m", "sh", "-c", "cat >/dev/null; echo 'fatal: model missing' >&2; exit 42");
                Section(i, "retry")["rules"] = L(M(("action", S("FailJob")), ("onExitCodes", L(N(42)))));
            },
            attempts: 1),
        Case("handler-invalid-jsonl-pilot",
            "1 of 1 batches failed (tolerated: 0); batch 0: BadHandler: handler output line 2 is not valid JSON ('b' is an invalid start of a property name. Expected a '\"'. LineNumber: 0 | BytePositionInLine: 1.): {broken; BadHandler on attempt 2 of 2",
            "pilot handler complains",
            (i, _) =>
            {
                Handler(i, "1m", "sh", "-c", "head -n 1; echo '{broken'; echo 'pilot handler complains' >&2");
                Spec(i)["dispatch"] = M(("mode", S("pilot")), ("workers", N(1)));
            }),
        Case("handler-file-mode-no-output",
            "1 of 1 batches failed (tolerated: 0); batch 0: BadHandler: handler exited 0 but wrote no output file (COORDINATOR_OUTPUT); BadHandler on attempt 2 of 2",
            "file-mode handler wrote nothing",
            (i, _) =>
            {
                Handler(i, "1m", "sh", "-c", "test -s \"$COORDINATOR_INPUT\" && echo 'file-mode handler wrote nothing' >&2");
                Section(i, "handler")["mode"] = S("file");
            }),
        TamperedBatch(),
    ];

    /// <summary>
    /// Submitted suspended; once the batches are stored, batch 0's object is overwritten; then `coordinator resume`.
    /// The worker must refuse batch 0 on its sha256 (the handler, which leaves a marker file per batch it sees,
    /// never sees it), while batch 1 is processed normally.
    /// </summary>
    private static CorpusCase TamperedBatch() => new("batch-checksum-mismatch", Category, "Failed",
        "1 of 2 batches failed (tolerated: 0); batch 0: ChecksumMismatch: batch s3://{bucket}/jobs/{job}/1/batches/000000.jsonl has sha256 {any}, expected {any}; it was not processed; ChecksumMismatch on attempt 2 of 2")
    {
        Item = (i, c) =>
        {
            Directory.CreateDirectory(c.CaseDirectory);
            Section(i, "retry")["maxAttempts"] = N(2);
            Section(i, "handler")["command"] = L(S("sh"), S("-c"), S($"touch '{c.CaseDirectory}'/ran-$COORDINATOR_BATCH; cat"));
            Spec(i)["suspend"] = B(true);
        },
        Act = async (stack, c) =>
        {
            await stack.WaitForJobAsync(c.Job, TimeSpan.FromMinutes(4), item =>
                item.TryGetValue("status", out var s) && s.M is { } m && CaseOutcome.Text(m, "phase") == "Suspended");
            var listing = (await stack.AwsAsync("s3", "ls", "--recursive", $"s3://{stack.Bucket}/jobs/{c.Job}/")).EnsureSuccess("aws s3 ls");
            var key = listing.StandardOutput.Split('\n').Select(l => l.Trim().Split(' ').Last())
                .Single(k => k.EndsWith("/batches/000000.jsonl", StringComparison.Ordinal));
            var tampered = Path.Combine(c.CaseDirectory, "tampered.jsonl");
            await File.WriteAllBytesAsync(tampered, Jsonl(10, from: 1000));
            await stack.UploadFileAsync(tampered, key);
            (await stack.RunAsync(CorpusStack.Executable, "resume", c.Job)).EnsureSuccess("coordinator resume");
        },
        Verify = async (stack, c, _) =>
        {
            var tasks = await stack.TasksAsync(c.Job);
            var first = tasks.Single(t => CaseOutcome.Text(t, "index") == "0");
            Assert.Equal("Failed", CaseOutcome.Text(first, "state"));
            Assert.Contains("it was not processed", CaseOutcome.Text(first, "reason"), StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(c.CaseDirectory, "ran-0")), "the handler was given the tampered batch 0");
        },
    };
}
