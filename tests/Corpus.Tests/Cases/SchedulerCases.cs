using Amazon.DynamoDBv2.Model;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Corpus.Tests.Cases;

/// <summary>
/// What Slurm refuses because of the spec (a partition, gres or memory the cluster does not have): the job fails at
/// once with Slurm's own words and the spec.slurm fields it set, instead of backing off forever with the error only in
/// the daemon's log. Daemon fields written with the wrong type (version as a string or a boolean): the job is Invalid
/// naming the attribute, instead of a status write whose condition fails forever. One task item with a corrupt
/// attribute: that batch fails naming the attribute, instead of every read of the job's tasks throwing.
/// </summary>
public static class SchedulerCases
{
    public const string Category = "scheduler";

    private static CorpusCase Refused(string name, string message, Action<System.Text.Json.Nodes.JsonObject> slurm) =>
        new(name, Category, "Failed", message) { Item = (i, _) => slurm(Section(i, "slurm")) };

    public static IEnumerable<CorpusCase> All() =>
    [
        Refused("slurm-unknown-partition",
            "Slurm refused the submission; check spec.slurm (partition=no-such-partition): invalid partition specified: no-such-partition; Batch job submission failed: Invalid partition name specified",
            s => s["partition"] = S("no-such-partition")),
        Refused("slurm-unknown-gres",
            "Slurm refused the submission; check spec.slurm (gres=gpu:9): Invalid generic resource (gres) specification",
            s => s["gres"] = S("gpu:9")),
        Refused("slurm-memory-unsatisfiable",
            "Slurm refused the submission; check spec.slurm (memory=100000G): Memory specification can not be satisfied; Batch job submission failed: Requested node configuration is not available",
            s => s["memory"] = S("100000G")),
        new("item-version-as-s", Category, "Invalid", SpecCases.Invalid("version: expected a number (N), got S \"3\""))
        {
            Item = (i, _) => i["version"] = S("3"),
        },
        new("item-version-as-bool", Category, "Invalid", SpecCases.Invalid("version: expected a number (N), got BOOL true"))
        {
            Item = (i, _) => i["version"] = B(true),
        },
        new("item-version-as-m", Category, "Invalid", SpecCases.Invalid("version: expected a number (N), got M"))
        {
            Item = (i, _) => i["version"] = M(),
        },
        // NULL reads as no version: the job runs, and the daemon's first status write makes it a number.
        new("item-version-null", Category, "Succeeded", "{any}")
        {
            Item = (i, _) => i["version"] = new System.Text.Json.Nodes.JsonObject { ["NULL"] = true },
            Verify = async (stack, c, _) => Assert.NotNull((await stack.GetJobAsync(c.Job))!["version"].N),
        },
        CorruptTaskItem(),
        // A handler that leaves a child holding its pipes (issue 15, path 4): the batch ends when the handler does, and
        // the leftover is stopped; before, the worker waited on the pipes forever while its heartbeats went on.
        Leftover("handler-leaves-background-child", "sleep 600 & cat"),
        Leftover("handler-leaves-setsid-child", "setsid sleep 600 & cat"),
        new("handler-timeout-with-child", Category, "Failed",
            "1 of 1 batches failed (tolerated: 0); batch 0: Timeout: handler ran past its timeout of 2s; Timeout on attempt 1 of 1")
        {
            Item = (i, _) =>
            {
                Section(i, "batching")["maxRecords"] = N(100);
                Section(i, "handler")["command"] = L(S("sh"), S("-c"), S("sleep 600 & sleep 600"));
                Section(i, "handler")["timeout"] = S("2s");
            },
        },
        // activeDeadline in every phase (issue 15, path 6): before, only a stored, non-aggregating job was checked,
        // so a suspended job or one Slurm never starts waited forever.
        Deadline("deadline-while-suspended", "suspended", i => Spec(i)["suspend"] = B(true)),
        Deadline("deadline-while-running", "running", i =>
        {
            Section(i, "batching")["maxRecords"] = N(100);
            Section(i, "handler")["command"] = L(S("sleep"), S("600"));
            Section(i, "handler")["timeout"] = S("10m");
        }),
        // More CPUs than the node has: sbatch accepts it and the task pends (reason PartitionConfig) for ever.
        // The job also says why while it waits: Schedulable=False PendingInSlurm with Slurm's reason.
        Deadline("deadline-while-pending-in-slurm", "running", i => Section(i, "slurm")["cpusPerTask"] = N(64)) with
        {
            Verify = (_, _, outcome) =>
            {
                Assert.Equal(("True", "DeadlineExceeded"), outcome.Condition("Failed") is { } f ? (f.Status, f.Reason) : default);
                Assert.Equal(("False", "PendingInSlurm",
                        "Slurm will not start 2 batch task(s): pending with reason PartitionConfig (the request exceeds what the partition's nodes have; check spec.slurm: cpusPerTask=64)"),
                    outcome.Condition("Schedulable"));
                return Task.CompletedTask;
            },
        },
    ];

    /// <summary>A one-batch job whose handler (sh -c <paramref name="script"/>) leaves a process behind: it succeeds with all 20 records.</summary>
    private static CorpusCase Leftover(string name, string script) => new(name, Category, "Succeeded", "{any}")
    {
        Item = (i, _) =>
        {
            Section(i, "batching")["maxRecords"] = N(100);
            Section(i, "handler")["command"] = L(S("sh"), S("-c"), S(script));
        },
        Verify = async (stack, c, outcome) =>
        {
            var task = Assert.Single(await stack.TasksAsync(c.Job));
            Assert.Equal(("Succeeded", "20"), (CaseOutcome.Text(task, "state"), CaseOutcome.Text(task, "outputRecords")));
            Assert.Contains("left 1 process(es) running after it ended", CaseOutcome.Text(task, "stderrTail"), StringComparison.Ordinal);
        },
    };

    /// <summary>A job with activeDeadline 20s that <paramref name="edit"/> keeps from finishing: it fails DeadlineExceeded.</summary>
    private static CorpusCase Deadline(string name, string during, Action<System.Text.Json.Nodes.JsonObject> edit) =>
        new(name, Category, "Failed", $"the job ran longer than its activeDeadline of 20s (while {during})")
        {
            Item = (i, _) =>
            {
                Spec(i)["activeDeadline"] = S("20s");
                edit(i);
            },
            Verify = (_, _, outcome) =>
            {
                Assert.Equal(("True", "DeadlineExceeded"), outcome.Condition("Failed") is { } f ? (f.Status, f.Reason) : default);
                return Task.CompletedTask;
            },
        };

    /// <summary>Submitted suspended; once stored, batch 1's task item gets attempt = S "x" (with the AWS CLI); then resumed.</summary>
    private static CorpusCase CorruptTaskItem() => new("task-item-corrupt-attempt", Category, "Failed",
        "1 of 2 batches failed (tolerated: 0); batch 1: task item unreadable: attempt: expected a number (N), got S \"x\"{any}")
    {
        Item = (i, _) =>
        {
            Section(i, "batching")["maxRecords"] = N(10);
            Spec(i)["suspend"] = B(true);
        },
        Act = async (stack, c) =>
        {
            await stack.WaitForJobAsync(c.Job, TimeSpan.FromMinutes(4), item =>
                item.TryGetValue("status", out var s) && s.M is { } m && CaseOutcome.Text(m, "phase") == "Suspended");
            await stack.Dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = stack.TasksTable,
                Key = new() { ["job"] = new() { S = c.Job }, ["index"] = new() { N = "1" } },
                UpdateExpression = "SET #a = :x",
                ExpressionAttributeNames = new() { ["#a"] = "attempt" },
                ExpressionAttributeValues = new() { [":x"] = new() { S = "x" } },
            });
            (await stack.RunAsync(CorpusStack.Executable, "resume", c.Job)).EnsureSuccess("coordinator resume");
        },
        Verify = async (stack, c, _) =>
        {
            // The job fails at once (nothing tolerated); batch 0 was read and judged as it is, and the corrupt item
            // was reported, not rewritten.
            var tasks = await stack.TasksAsync(c.Job);
            Assert.NotEqual("Failed", CaseOutcome.Text(tasks.Single(t => CaseOutcome.Text(t, "index") == "0"), "state"));
            Assert.Equal("x", tasks.Single(t => CaseOutcome.Text(t, "index") == "1")["attempt"].S);
        },
    };
}
