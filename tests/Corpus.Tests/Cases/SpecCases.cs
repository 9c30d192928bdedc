using System.Text.Json.Nodes;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Corpus.Tests.Cases;

/// <summary>Spec values that break the v1 API's rules, written as a spec map: phase Invalid, every error by field path.</summary>
public static class SpecCases
{
    public const string Category = "spec";

    /// <summary>The message of an Invalid job with one error.</summary>
    public static string Invalid(string error) => $"invalid spec (1 error): {error}";

    private static CorpusCase Case(string name, string message, Action<JsonObject, CaseContext> edit) =>
        new(name, Category, "Invalid", Invalid(message)) { Item = edit };

    public static IEnumerable<CorpusCase> All() =>
    [
        Case("spec-missing-input-uri", "spec.input.uri: is required", (i, _) => Section(i, "input").Remove("uri")),
        Case("spec-http-input-uri", "spec.input.uri: must be an s3://bucket/key, s3://bucket/prefix/ or file:///path URI, got \"http://example.com/in/\"",
            (i, _) => Section(i, "input")["uri"] = S("http://example.com/in/")),
        Case("spec-bad-bucket-name", "spec.input.uri: bucket name \"Bad_Bucket\" is not valid (3-63 lowercase letters, digits, '.' and '-'), in \"s3://Bad_Bucket/in/\"",
            (i, _) => Section(i, "input")["uri"] = S("s3://Bad_Bucket/in/")),
        Case("spec-unknown-format", "spec.input.format: must be one of jsonl, csv, parquet, got \"xml\"",
            (i, _) => Section(i, "input")["format"] = S("xml")),
        Case("spec-no-batching-limit", "spec.batching: at least one of maxRecords or maxBytes is required",
            (i, _) => Section(i, "batching").Remove("maxRecords")),
        Case("spec-zero-max-records", "spec.batching.maxRecords: must be at least 1, got 0",
            (i, _) => Section(i, "batching")["maxRecords"] = N(0)),
        Case("spec-negative-max-bytes", "spec.batching.maxBytes: must not be negative, got \"-1MiB\"",
            (i, _) => Section(i, "batching")["maxBytes"] = S("-1MiB")),
        Case("spec-empty-command", "spec.handler.command: must not be empty: give the handler's argv, e.g. [python3, handler.py]",
            (i, _) => Section(i, "handler")["command"] = L()),
        Case("spec-blank-argv-element", "spec.handler.command[1]: must not be empty",
            (i, _) => Section(i, "handler")["command"] = L(S("cat"), S(""))),
        Case("spec-unknown-handler-mode", "spec.handler.mode: must be one of stdio, file, stream, got \"socket\"",
            (i, _) => Section(i, "handler")["mode"] = S("socket")),
        Case("spec-bad-timeout", "spec.handler.timeout: expected a duration such as 90s, 10m, 24h, 7d or 1h30m (units ms, s, m, h, d), got \"ten minutes\"",
            (i, _) => Section(i, "handler")["timeout"] = S("ten minutes")),
        Case("spec-bad-env-name", "spec.handler.env.1ST: is not a valid environment variable name (letters, digits and '_', not starting with a digit)",
            (i, _) => Section(i, "handler")["env"] = M(("1ST", S("x")))),
        Case("spec-missing-output-uri", "spec.output.uri: is required", (i, _) => Section(i, "output").Remove("uri")),
        Case("spec-output-traversal", "spec.output.uri: must not contain \".\" or \"..\" path segments, got \"s3://corpus-out/a/../../b/\"",
            (i, _) => Section(i, "output")["uri"] = S("s3://corpus-out/a/../../b/")),
        Case("spec-relative-file-uri", "spec.output.uri: file URIs must be absolute (file:///path), got \"file://scratch/out/\"",
            (i, _) => Section(i, "output")["uri"] = S("file://scratch/out/")),
        Case("spec-zero-max-concurrent", "spec.slurm.maxConcurrent: must be between 1 and 100000, got 0",
            (i, _) => Section(i, "slurm")["maxConcurrent"] = N(0)),
        Case("spec-bad-slurm-memory", "spec.slurm.memory: must be a Slurm memory size such as 512M or 2G, got \"2 GB\"",
            (i, _) => Section(i, "slurm")["memory"] = S("2 GB")),
        Case("spec-bad-slurm-time", "spec.slurm.timeLimit: must be a Slurm time limit such as 30, 01:00:00 or 2-00:00:00, got \"one hour\"",
            (i, _) => Section(i, "slurm")["timeLimit"] = S("one hour")),
        Case("spec-zero-max-attempts", "spec.retry.maxAttempts: must be between 1 and 100, got 0",
            (i, _) => Section(i, "retry")["maxAttempts"] = N(0)),
        Case("spec-unknown-rule-action", "spec.retry.rules[0].action: must be one of FailJob, FailBatch, Ignore, Count, got \"Retry\"",
            (i, _) => Section(i, "retry")["rules"] = L(M(("action", S("Retry")), ("onExitCodes", L(N(1)))))),
        Case("spec-exit-code-out-of-range", "spec.retry.rules[0].onExitCodes[0]: must be between 0 and 255, got 300",
            (i, _) => Section(i, "retry")["rules"] = L(M(("action", S("FailJob")), ("onExitCodes", L(N(300)))))),
        Case("spec-backoff-max-below-base", "spec.retry.backoff.max: must be at least backoff.base (1m), got 30s",
            (i, _) => Section(i, "retry")["backoff"] = M(("base", S("1m")), ("max", S("30s")))),
        Case("spec-percent-over-100", "spec.failurePolicy.toleratedFailurePercent: must be between 0 and 100, got 150",
            (i, _) => Section(i, "failurePolicy")["toleratedFailurePercent"] = N(150)),
        Case("spec-misspelt-field", "spec.batching.maxRecods: unknown field \"maxRecods\"; did you mean \"maxRecords\"?",
            (i, _) => Section(i, "batching")["maxRecods"] = N(5)),
        Case("spec-unknown-dispatch-mode", "spec.dispatch.mode: must be one of array, pilot, got \"swarm\"",
            (i, _) => Section(i, "dispatch")["mode"] = S("swarm")),
        Case("spec-csv-two-char-delimiter", "spec.input.csv.delimiter: must be a single character other than a quote or newline, got \"ab\"",
            (i, _) =>
            {
                Section(i, "input")["format"] = S("csv");
                Section(i, "input")["csv"] = M(("delimiter", S("ab")));
            }),
        Case("spec-missing-template", "spec.template: unknown template \"no-such-base\" (no JobTemplate item with that name in the jobs table)",
            (i, _) => Spec(i)["template"] = S("no-such-base")),
        new("spec-malformed-template", Category, "Invalid",
            Invalid("spec.batching.maxRecords: must be at least 1, got 0"))
        {
            ExtraItems = c => [new JsonObject
            {
                ["name"] = S($"template:bad-base-{c.Job}"),
                ["kind"] = S("JobTemplate"),
                ["spec"] = M(("batching", M(("maxRecords", N(0))))),
            }],
            Item = (i, c) =>
            {
                Spec(i)["template"] = S($"bad-base-{c.Job}");
                Section(i, "batching").Remove("maxRecords");
            },
        },
        new("spec-name-uppercase", Category, "Invalid", Invalid("name: must contain only lowercase letters, digits and '-', got \"{job}\""))
        {
            JobName = "Bad_Name-{suffix}",
        },
        new("spec-name-too-long", Category, "Invalid", Invalid("name: must be at most 63 characters, got 70"))
        {
            JobName = "a{suffix}" + new string('b', 61),
        },
        new("spec-name-path-traversal", Category, "Invalid",
            "invalid spec (3 errors): name: must contain only lowercase letters, digits and '-', got \"{job}\"; "
            + "spec.input.uri: must not contain \".\" or \"..\" path segments, got \"{in}\"; "
            + "spec.output.uri: must not contain \".\" or \"..\" path segments, got \"{out}\"")
        {
            JobName = "../jobs-{suffix}",
        },
        new("spec-two-errors", Category, "Invalid",
            "invalid spec (2 errors): spec.batching.maxRecords: must be at least 1, got 0; spec.slurm.maxConcurrent: must be between 1 and 100000, got 0")
        {
            Item = (i, _) =>
            {
                Section(i, "batching")["maxRecords"] = N(0);
                Section(i, "slurm")["maxConcurrent"] = N(0);
            },
        },
    ];
}
