using Coordinator.Model.Loading;

namespace Coordinator.Model.Tests.Validation;

/// <summary>
/// Malformed YAML jobs, each with the exact message a user sees. Every case starts from a valid minimal job and
/// changes one thing, so each message is the only error.
/// </summary>
public class BadYamlInputTests
{
    private const string Valid = """
        apiVersion: coordinator/v1
        kind: Job
        metadata:
          name: good-job
        spec:
          input:
            uri: s3://data-in/records/
            format: jsonl
          batching:
            maxRecords: 100
          handler:
            command: [python3, handler.py]
          output:
            uri: s3://data-out/results/
          slurm:
            maxConcurrent: 10
        """;

    private static async Task<string[]> ErrorsOf(string yaml, params string[] sets)
    {
        var result = await new JobLoader(InMemoryTemplateSource.Empty).LoadTextAsync(yaml, sets, CancellationToken.None);
        return result.Errors.Select(e => e.ToString()).ToArray();
    }

    private static string Replace(string from, string to)
    {
        Assert.Contains(from, Valid, StringComparison.Ordinal);
        return Valid.Replace(from, to, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_valid_base_case_has_no_errors() => Assert.Empty(await ErrorsOf(Valid));

    public static TheoryData<string, string, string> Cases => new()
    {
        // YAML syntax
        { "unclosed flow list", Replace("[python3, handler.py]", "[python3, handler.py"),
            "(document) (line 12, col 14): YAML syntax error: this [ or { is never closed" },
        { "tab indentation", Replace("    maxRecords: 100", "\tmaxRecords: 100"),
            "(document) (line 10, col 1): YAML syntax error: While scanning a mapping, found invalid tab as indentation" },
        { "duplicate key", Replace("    maxRecords: 100", "    maxRecords: 100\n    maxRecords: 200"),
            "(document) (line 11, col 5): YAML syntax error: Duplicate key maxRecords" },
        // wrong types
        { "number field given text", Replace("maxRecords: 100", "maxRecords: ten"),
            "spec.batching.maxRecords (line 10, col 17): expected a number, got \"ten\"" },
        { "fractional count", Replace("maxRecords: 100", "maxRecords: 1.5"),
            "spec.batching.maxRecords (line 10, col 17): expected a whole number, got 1.5" },
        { "quoted number", Replace("maxConcurrent: 10", "maxConcurrent: \"10\""),
            "spec.slurm.maxConcurrent (line 16, col 20): expected a number, got \"10\"" },
        { "argv as one string", Replace("[python3, handler.py]", "python3 handler.py"),
            "spec.handler.command (line 12, col 14): expected a list of strings (argv), got \"python3 handler.py\"" },
        { "section given a scalar", Replace("  slurm:\n    maxConcurrent: 10", "  slurm: fast"),
            "spec.slurm (line 15, col 10): expected a map, got \"fast\"" },
        { "boolean as yes", Valid + "\n  suspend: yes",
            "spec.suspend (line 17, col 12): expected true or false, got \"yes\"" },
        { "bad duration", Valid + "\n  activeDeadline: 3 weeks",
            "spec.activeDeadline (line 17, col 19): expected a duration such as 90s, 10m, 24h, 7d or 1h30m (units ms, s, m, h, d), got \"3 weeks\"" },
        { "integer overflow", Replace("maxConcurrent: 10", "maxConcurrent: 99999999999"),
            "spec.slurm.maxConcurrent (line 16, col 20): is too large, got 99999999999" },
        // unknown fields
        { "misspelt field", Replace("maxRecords: 100", "maxRecord: 100"),
            "spec.batching.maxRecord (line 10, col 5): unknown field \"maxRecord\"; did you mean \"maxRecords\"?" },
        { "misspelt section", Replace("  slurm:", "  slrum:"),
            "spec.slrum (line 15, col 3): unknown field \"slrum\"; did you mean \"slurm\"?" },
        { "unknown field far from any", Valid + "\n  colour: blue",
            "spec.colour (line 17, col 3): unknown field \"colour\"; expected one of: template, input, batching, handler, output, dispatch, slurm, retry, failurePolicy, suspend, activeDeadline, ttlAfterFinished, retryGeneration" },
        { "misspelt metadata field", Replace("  name: good-job", "  name: good-job\n  lables: {a: b}"),
            "metadata.lables (line 5, col 3): unknown field \"lables\"; did you mean \"labels\"?" },
        // sizes, ranges
        { "zero records", Replace("maxRecords: 100", "maxRecords: 0"),
            "spec.batching.maxRecords (line 10, col 17): must be at least 1, got 0" },
        { "negative records", Replace("maxRecords: 100", "maxRecords: -5"),
            "spec.batching.maxRecords (line 10, col 17): must be at least 1, got -5" },
        { "negative size", Replace("maxRecords: 100", "maxBytes: -64MiB"),
            "spec.batching.maxBytes (line 10, col 15): must not be negative, got \"-64MiB\"" },
        { "zero size", Replace("maxRecords: 100", "maxBytes: 0"),
            "spec.batching.maxBytes (line 10, col 15): must be at least 1 byte, got 0" },
        { "unknown size unit", Replace("maxRecords: 100", "maxBytes: 64MB/s"),
            "spec.batching.maxBytes (line 10, col 15): expected a size such as 64MiB, 2G or 512k (units k, M, G, T, P = 1024; kB, MB, GB, TB, PB = 1000), got \"64MB/s\"" },
        { "no batching limit", Replace("    maxRecords: 100", "    maxBytes: null"),
            "spec.batching (line 10, col 5): at least one of maxRecords or maxBytes is required" },
        { "zero concurrency", Replace("maxConcurrent: 10", "maxConcurrent: 0"),
            "spec.slurm.maxConcurrent (line 16, col 20): must be between 1 and 100000, got 0" },
        { "percent over 100", Valid + "\n  failurePolicy: {toleratedFailurePercent: 150}",
            "spec.failurePolicy.toleratedFailurePercent (line 17, col 44): must be between 0 and 100, got 150" },
        { "exit code out of range", Valid + "\n  retry:\n    rules:\n      - {action: FailJob, onExitCodes: [300]}",
            "spec.retry.rules[0].onExitCodes[0] (line 19, col 41): must be between 0 and 255, got 300" },
        { "rule without action", Valid + "\n  retry:\n    rules:\n      - {onExitCodes: [1]}",
            "spec.retry.rules[0].action (line 19, col 9): is required" },
        { "unknown rule action", Valid + "\n  retry:\n    rules:\n      - {action: Retry, onExitCodes: [1]}",
            "spec.retry.rules[0].action (line 19, col 18): must be one of FailJob, FailBatch, Ignore, Count, got \"Retry\"" },
        { "backoff max below base", Valid + "\n  retry:\n    backoff: {base: 1m, max: 30s}",
            "spec.retry.backoff.max (line 18, col 30): must be at least backoff.base (1m), got 30s" },
        { "bad slurm memory", Replace("maxConcurrent: 10", "maxConcurrent: 10\n    memory: 2 GB"),
            "spec.slurm.memory (line 17, col 13): must be a Slurm memory size such as 512M or 2G, got \"2 GB\"" },
        { "bad slurm time", Replace("maxConcurrent: 10", "maxConcurrent: 10\n    timeLimit: one hour"),
            "spec.slurm.timeLimit (line 17, col 16): must be a Slurm time limit such as 30, 01:00:00 or 2-00:00:00, got \"one hour\"" },
        // formats, handler
        { "unknown input format", Replace("format: jsonl", "format: xml"),
            "spec.input.format (line 8, col 13): must be one of jsonl, csv, parquet, got \"xml\"" },
        { "near-miss input format", Replace("format: jsonl", "format: jsnl"),
            "spec.input.format (line 8, col 13): must be one of jsonl, csv, parquet, got \"jsnl\" (did you mean \"jsonl\"?)" },
        { "missing handler", Replace("  handler:\n    command: [python3, handler.py]\n", ""),
            "spec.handler.command (line 6, col 3): must not be empty: give the handler's argv, e.g. [python3, handler.py]" },
        { "empty argv", Replace("[python3, handler.py]", "[]"),
            "spec.handler.command (line 12, col 14): must not be empty: give the handler's argv, e.g. [python3, handler.py]" },
        { "blank argv element", Replace("[python3, handler.py]", "[python3, \"\"]"),
            "spec.handler.command[1] (line 12, col 24): must not be empty" },
        { "bad env name", Replace("[python3, handler.py]", "[python3, handler.py]\n    env: {1ST: x}"),
            "spec.handler.env.1ST (line 13, col 16): is not a valid environment variable name (letters, digits and '_', not starting with a digit)" },
        // URIs and names
        { "http uri", Replace("s3://data-in/records/", "http://data-in/records/"),
            "spec.input.uri (line 7, col 10): must be an s3://bucket/key, s3://bucket/prefix/ or file:///path URI, got \"http://data-in/records/\"" },
        { "bad bucket", Replace("s3://data-in/records/", "s3://Data_In/records/"),
            "spec.input.uri (line 7, col 10): bucket name \"Data_In\" is not valid (3-63 lowercase letters, digits, '.' and '-'), in \"s3://Data_In/records/\"" },
        { "missing bucket", Replace("s3://data-in/records/", "s3:///records/"),
            "spec.input.uri (line 7, col 10): is missing the bucket name, got \"s3:///records/\"" },
        { "path traversal in s3", Replace("s3://data-out/results/", "s3://data-out/results/../../other/"),
            "spec.output.uri (line 14, col 10): must not contain \".\" or \"..\" path segments, got \"s3://data-out/results/../../other/\"" },
        { "path traversal in file", Replace("s3://data-out/results/", "file:///scratch/../etc/"),
            "spec.output.uri (line 14, col 10): must not contain \".\" or \"..\" path segments, got \"file:///scratch/../etc/\"" },
        { "relative file uri", Replace("s3://data-out/results/", "file://scratch/out/"),
            "spec.output.uri (line 14, col 10): file URIs must be absolute (file:///path), got \"file://scratch/out/\"" },
        { "missing output uri", Replace("  output:\n    uri: s3://data-out/results/\n", ""),
            "spec.output.uri (line 6, col 3): is required" },
        { "traversal in name", Replace("name: good-job", "name: ../../etc"),
            "metadata.name (line 4, col 9): must contain only lowercase letters, digits and '-', got \"../../etc\"" },
        { "oversized name", Replace("name: good-job", "name: " + new string('a', 70)),
            "metadata.name (line 4, col 9): must be at most 63 characters, got 70" },
        { "uppercase name", Replace("name: good-job", "name: Good-Job"),
            "metadata.name (line 4, col 9): must contain only lowercase letters, digits and '-', got \"Good-Job\"" },
        { "missing name", Replace("  name: good-job", "  labels: {}"),
            "metadata.name (line 4, col 3): is required" },
        { "wrong apiVersion", Replace("coordinator/v1", "coordinator/v2"),
            "apiVersion (line 1, col 13): must be \"coordinator/v1\", got \"coordinator/v2\"" },
        { "wrong kind", Replace("kind: Job", "kind: Deployment"),
            "kind (line 2, col 7): must be \"Job\" or \"JobTemplate\", got \"Deployment\"" },
        { "top-level typo", Replace("kind: Job", "kind: Job\nmetadta: {}"),
            "metadta (line 3, col 1): unknown field \"metadta\"; did you mean \"metadata\"?" },
        { "status in the file", Valid + "\nstatus: {phase: Succeeded}",
            "status (line 17, col 1): status is written only by the daemon; remove it from the file" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_malformed_job_gets_exactly_one_helpful_error(string because, string yaml, string expected)
    {
        var errors = await ErrorsOf(yaml);

        Assert.True(errors.Length == 1 && errors[0] == expected,
            $"{because}:\nexpected: {expected}\nactual:\n  {string.Join("\n  ", errors)}");
    }

    [Fact]
    public async Task Several_problems_are_all_reported_at_once_in_reading_order()
    {
        var yaml = Replace("maxRecords: 100", "maxRecords: 0").Replace("maxConcurrent: 10", "maxConcurrent: lots", StringComparison.Ordinal)
            .Replace("format: jsonl", "formt: jsonl", StringComparison.Ordinal);

        var errors = await ErrorsOf(yaml);

        Assert.Equal(
        [
            "spec.input.formt (line 8, col 5): unknown field \"formt\"; did you mean \"format\"?",
            "spec.batching.maxRecords (line 10, col 17): must be at least 1, got 0",
            "spec.slurm.maxConcurrent (line 16, col 20): expected a number, got \"lots\"",
        ], errors);
    }

    [Fact]
    public async Task A_bad_set_override_names_the_set_it_came_from()
    {
        var errors = await ErrorsOf(Valid, "slurm.maxConcurrent=0", "nonsense");

        Assert.Equal(
        [
            "(document): --set \"nonsense\": expected path=value, e.g. --set slurm.maxConcurrent=10",
            "spec.slurm.maxConcurrent (--set slurm.maxConcurrent): must be between 1 and 100000, got 0",
        ], errors);
    }
}
