using Coordinator.Testing;
using System.Text;
using Coordinator.Testing.Processes;
using Coordinator.Testing.Stack;

namespace Coordinator.Integration.Tests.Cli;

/// <summary>
/// `coordinator run-local` as a process, with real `python3` and `sh` handlers over JSONL and CSV inputs made here.
/// AWS_ENDPOINT_URL points at a closed port and no credentials are set: any DynamoDB or S3 call would fail the run,
/// so a green run proves none was made (the inputs are file://). No Slurm, no stack.
/// </summary>
public sealed class RunLocalTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("coord-runlocal-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static readonly Dictionary<string, string?> NoAws = new()
    {
        ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9", // discard port: nothing listens
        ["AWS_ACCESS_KEY_ID"] = null,
        ["AWS_SECRET_ACCESS_KEY"] = null,
        ["AWS_PROFILE"] = null,
        ["AWS_EC2_METADATA_DISABLED"] = "true",
        ["AWS_REGION"] = "us-east-1",
    };

    private const string Upper = "import json, sys\nfor line in sys.stdin:\n    r = json.loads(line)\n    " +
                                 "if r['id'] == 7: print('bad record 7', file=sys.stderr); sys.exit(3)\n    " +
                                 "r['text'] = r['text'].upper(); print(json.dumps(r))";

    private async Task<string> JobAsync(string name, string inputFile, string format, string command, string extra = "")
    {
        var path = Path.Combine(_work, name + ".yaml");
        await File.WriteAllTextAsync(path,
            $"apiVersion: coordinator/v1\nkind: Job\nmetadata:\n  name: {name}\nspec:\n  input:\n    uri: {new Uri(inputFile).AbsoluteUri}\n" +
            $"    format: {format}\n  batching:\n    maxRecords: 4\n  handler:\n    command: {command}\n    timeout: 1m\n" +
            $"  output:\n    uri: s3://nowhere/out/\n{extra}");
        return path;
    }

    private async Task<ProcessResult> RunLocalAsync(params string[] arguments) =>
        await ProcessRunner.RunAsync(CoordinatorStack.Executable, ["run-local", .. arguments], NoAws, TimeSpan.FromMinutes(1), _work);

    private async Task<string> JsonlAsync(int records, Func<int, bool>? skip = null)
    {
        var file = Path.Combine(_work, "records.jsonl");
        await File.WriteAllTextAsync(file, string.Concat(Enumerable.Range(0, records).Where(i => skip?.Invoke(i) != true)
            .Select(i => $"{{\"id\": {i}, \"text\": \"record {i}\"}}\n")));
        return file;
    }

    [Fact]
    public async Task The_wordcount_example_on_the_python_helper_reports_the_records_it_rejected_and_where()
    {
        var input = Path.Combine(_work, "words.jsonl");
        await File.WriteAllTextAsync(input, "{\"id\": 1, \"text\": \"a b a\"}\nnot json\n{\"id\": 2, \"text\": \"c\"}\n");
        var wc = RepoFiles.FindUp(Path.Combine("examples", "wordcount", "wc.py"))!;
        var job = await JobAsync("wc-rejects", input, "jsonl", $"[python3, {wc}]", "  # lines that are not JSON reach the handler\n");
        await File.WriteAllTextAsync(job, (await File.ReadAllTextAsync(job)).Replace("    format: jsonl\n", "    format: jsonl\n    validate: false\n", StringComparison.Ordinal));

        var result = await RunLocalAsync("-f", job);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"\n\s+0\s+3\s+2\s+\d+\.\d\d\s+0\s+/", result.StandardOutput);
        var rejects = Path.Combine(_work, "run-local", "wc-rejects", "jobs", "wc-rejects", "1", "results", "000000.a1.rejects.jsonl");
        Assert.Contains($"batch 0: 1 record(s) rejected by the handler, in {rejects}", result.StandardOutput, StringComparison.Ordinal);
        Assert.StartsWith("{\"record\":\"not json\",\"reason\":\"input line 2 is not JSON", await File.ReadAllTextAsync(rejects), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_python_handler_over_jsonl_runs_every_batch_and_writes_its_results_under_run_local()
    {
        var input = await JsonlAsync(10, skip: i => i == 7);
        var job = await JobAsync("upper", input, "jsonl", $"[python3, -c, \"{Upper.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"]");

        var result = await RunLocalAsync("-f", job);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StandardOutput.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("upper: 3 batches of 9 records from file://", StringComparison.Ordinal));
        Assert.Matches(@"BATCH\s+IN\s+OUT\s+SECONDS\s+EXIT\s+RESULT", result.StandardOutput);
        Assert.Matches(@"\n\s+0\s+4\s+4\s+\d+\.\d\d\s+0\s+/\S+/run-local/upper/jobs/upper/1/results/000000", result.StandardOutput);
        Assert.Matches(@"\n\s+2\s+1\s+1\s+\d+\.\d\d\s+0\s+/", result.StandardOutput);
        Assert.Contains("3 of 3 batches succeeded", result.StandardOutput, StringComparison.Ordinal);
        var results = Directory.GetFiles(Path.Combine(_work, "run-local", "upper", "jobs", "upper", "1", "results")).Order().ToList();
        Assert.Equal(3, results.Count);
        var text = string.Concat(results.Select(File.ReadAllText));
        Assert.Equal(string.Concat(Enumerable.Range(0, 10).Where(i => i != 7).Select(i => $"{{\"id\": {i}, \"text\": \"RECORD {i}\"}}\n")), text);
    }

    [Fact]
    public async Task A_failing_batch_shows_its_exit_code_and_stderr_tail_and_fails_the_run_and_batches_limits_the_run()
    {
        var input = await JsonlAsync(10);
        var job = await JobAsync("fails", input, "jsonl", $"[python3, -c, \"{Upper.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"]");

        var all = await RunLocalAsync("-f", job, "--out", Path.Combine(_work, "out"));
        Assert.Equal(1, all.ExitCode);
        Assert.Matches(@"\n\s+1\s+4\s+-\s+\d+\.\d\d\s+3\s+FAILED: handler exited with code 3", all.StandardOutput);
        Assert.Contains("stderr of batch 1 (last lines):\n  bad record 7\n", all.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("2 of 3 batches succeeded", all.StandardOutput, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(_work, "out", "jobs", "fails", "1", "results")), "--out was not used");

        var first = await RunLocalAsync("-f", job, "--batches", "1");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("running 1,", first.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("1 of 1 batches succeeded", first.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_sh_handler_over_a_csv_input_given_with_input_and_a_set_timeout()
    {
        var csv = Path.Combine(_work, "people.csv");
        var rows = new StringBuilder("name,age\n");
        for (var i = 0; i < 6; i++)
        {
            rows.Append('p').Append(i).Append(',').Append(20 + i).Append('\n');
        }
        await File.WriteAllTextAsync(csv, rows.ToString());
        // A stdio handler reads one JSON object per CSV row; output.format csv writes its JSONL back as CSV.
        var job = await JobAsync("csv", Path.Combine(_work, "not-used.csv"), "csv", "[sh, -c, 'cat; echo done >&2']", "    format: csv\n");

        var result = await RunLocalAsync("-f", job, "--input", csv);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"\n\s+0\s+4\s+4\s+\d+\.\d\d\s+0\s+/", result.StandardOutput);
        Assert.Matches(@"\n\s+1\s+2\s+2\s+\d+\.\d\d\s+0\s+/", result.StandardOutput);
        var results = Directory.GetFiles(Path.Combine(_work, "run-local", "csv", "jobs", "csv", "1", "results")).Order().ToList();
        Assert.Equal(["name,age\np0,20\np1,21\np2,22\np3,23\n", "name,age\np4,24\np5,25\n"], results.Select(File.ReadAllText));

        var slow = await JobAsync("slow", csv, "csv", "[sh, -c, 'sleep 5; cat']");
        var timedOut = await RunLocalAsync("-f", slow, "--set", "handler.timeout=1s", "--batches", "1");
        Assert.Equal(1, timedOut.ExitCode);
        Assert.Contains("FAILED: handler ran past its timeout of 1s", timedOut.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_and_a_yaml_error_are_reported_clearly()
    {
        var missing = await RunLocalAsync("-f", Path.Combine(_work, "nope.yaml"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("nope.yaml", missing.StandardError, StringComparison.Ordinal);

        var bad = Path.Combine(_work, "bad.yaml");
        await File.WriteAllTextAsync(bad, "apiVersion: coordinator/v1\nkind: Job\nmetadata:\n  name: bad\nspec:\n  input: [unclosed\n");
        var yaml = await RunLocalAsync("-f", bad);
        Assert.Equal(1, yaml.ExitCode);
        Assert.Matches(@"bad\.yaml.*\d+:\d+|line \d+", yaml.StandardError);
    }
}
