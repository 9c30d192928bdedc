using System.Text;
using Amazon.S3.Model;
using Coordinator.Integration.Tests.Fixtures;
using Coordinator.Model.Tasks;
using Coordinator.Testing.Processes;

namespace Coordinator.Integration.Tests.Cli;

/// <summary>plan (count-only pass over S3 input), logs (the task's Slurm files) and shell completion, as a process.</summary>
[Collection(LocalStackCollection.Name)]
public sealed class CliToolVerbsTests(LocalStackFixture fixture) : IAsyncLifetime
{
    private CliStack _cli = null!;

    public async Task InitializeAsync() => _cli = await CliStack.CreateAsync(fixture);

    public async Task DisposeAsync() => await _cli.DisposeAsync();

    [Fact]
    public async Task Plan_counts_the_batches_of_an_s3_input_and_plans_the_arrays_without_uploading_anything()
    {
        for (var part = 0; part < 2; part++)
        {
            var lines = new StringBuilder();
            for (var i = 0; i < 25; i++)
            {
                lines.Append("{\"id\": ").Append(part * 25 + i).Append("}\n");
            }
            await _cli.Stack.S3.PutObjectAsync(new PutObjectRequest { BucketName = _cli.Bucket, Key = $"in/planned/part-{part}.jsonl", ContentBody = lines.ToString() });
        }
        var file = await _cli.JobFileAsync("planned", extra: "  slurm: {maxConcurrent: 4}");

        var result = (await _cli.RunAsync("plan", "-f", file)).EnsureSuccess();

        var output = result.StandardOutput;
        Assert.Contains("  slurm:\n", output, StringComparison.Ordinal);
        Assert.Contains($"# Batch plan (count-only pass over s3://{_cli.Bucket}/in/planned/; nothing was uploaded):", output, StringComparison.Ordinal);
        Assert.Matches(@"#   input: 2 objects, \d+ B, 50 records\n", output);
        Assert.Matches(@"#   batches: 5, ", output);                      // 50 records, at most 10 per batch (batches span objects)
        Assert.Contains("#   records per batch: 10..10;", output, StringComparison.Ordinal);
        Assert.Contains("#     sbatch --array=0-4%4  (batches 0-4)", output, StringComparison.Ordinal);
        var keys = ((await _cli.Stack.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _cli.Bucket })).S3Objects ?? []).Select(o => o.Key);
        Assert.Equal(["in/planned/part-0.jsonl", "in/planned/part-1.jsonl"], keys.Order(StringComparer.Ordinal));
        Assert.Empty(await _cli.GetItemAsync("planned"));
    }

    [Fact]
    public async Task Plan_of_a_job_whose_input_is_not_there_yet_prints_the_spec_and_says_why_there_is_no_batch_plan()
    {
        var result = (await _cli.RunAsync("plan", "-f", await _cli.JobFileAsync("not-yet"))).EnsureSuccess();

        Assert.Contains("# Batch plan: not available", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("InputNotFound", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_prints_the_stdout_and_stderr_files_slurm_wrote_for_the_batch()
    {
        await _cli.SubmitRunningAsync("logged");
        await _cli.PutTasksAsync("logged", slurmJobId: "9001");
        await File.WriteAllTextAsync(Path.Combine(_cli.LogDirectory, "logged-9001_1.out"), "worker: batch 1 claimed\n");
        await File.WriteAllTextAsync(Path.Combine(_cli.LogDirectory, "logged-9001_1.err"), "line 1\nline 2\nValueError: record 17 has no text\n");

        var all = (await _cli.RunAsync("logs", "logged", "--batch", "1")).EnsureSuccess();
        var tail = (await _cli.RunAsync("logs", "logged", "--batch", "1", "--tail", "1")).EnsureSuccess();
        var gone = await _cli.RunAsync("logs", "logged", "--batch", "0");
        var noSuchBatch = await _cli.RunAsync("logs", "logged", "--batch", "7");

        Assert.Equal(
            $"==> stdout: {_cli.LogDirectory}/logged-9001_1.out <==\nworker: batch 1 claimed\n" +
            $"==> stderr: {_cli.LogDirectory}/logged-9001_1.err <==\nline 1\nline 2\nValueError: record 17 has no text\n",
            all.StandardOutput);
        Assert.DoesNotContain("line 2", tail.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("ValueError", tail.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("are not in", gone.StandardError, StringComparison.Ordinal);
        Assert.Equal(1, noSuchBatch.ExitCode);
        Assert.Contains("has no batch 7 (it has 3: 0-2)", noSuchBatch.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_of_a_batch_that_never_started_exits_1_saying_so()
    {
        await _cli.SubmitRunningAsync("unstarted");
        await _cli.State.PutTasksAsync([new JobTask { Job = "unstarted", Generation = 1, Index = 0, InputKey = "k" }], default);

        var result = await _cli.RunAsync("logs", "unstarted", "--batch", "0");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("batch 0 of job \"unstarted\" has not started in Slurm yet (state Pending)", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_bash_completion_script_completes_verbs_and_option_values_through_coordinator_itself()
    {
        var script = (await CoordinatorCli.RunAsync(["completion", "bash"])).EnsureSuccess().StandardOutput;
        var path = Path.Combine(_cli.Work, "completion.bash");
        await File.WriteAllTextAsync(path, script);
        var bin = Path.GetDirectoryName(CoordinatorCli.ExecutablePath)!;

        async Task<string[]> CompleteAsync(params string[] words)
        {
            var line = string.Join(' ', words);
            var result = await ProcessRunner.RunAsync("bash", ["-c",
                $"source '{path}'; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; COMP_WORDS=({string.Join(' ', words.Select(w => $"'{w}'"))}); " +
                $"COMP_CWORD={words.Length - 1}; _coordinator_complete; printf '%s\\n' \"${{COMPREPLY[@]}}\""],
                new Dictionary<string, string?> { ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}" }, TimeSpan.FromSeconds(60));
            result.EnsureSuccess();
            return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }

        Assert.Equal(["job", "jobs"], await CompleteAsync("coordinator", "get", "j"));
        Assert.Equal(["json", "jsonpath="], await CompleteAsync("coordinator", "get", "jobs", "-o", "j"));
        Assert.Contains("watch", await CompleteAsync("coordinator", "w"));
        var zsh = (await CoordinatorCli.RunAsync(["completion", "zsh"])).EnsureSuccess().StandardOutput;
        Assert.Contains("compdef _coordinator_complete coordinator", zsh, StringComparison.Ordinal);
        Assert.Equal(2, (await CoordinatorCli.RunAsync(["completion", "fish"])).ExitCode);
    }
}
