using System.Text.Json;
using Coordinator.Integration.Tests.Fixtures;

namespace Coordinator.Integration.Tests.Cli;

/// <summary>
/// get, describe and tasks run as a separate `coordinator` process against moto, on jobs submitted with the CLI whose
/// status and task items were written through the product's state store, as the daemon and workers write them.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class CliReadVerbsTests(LocalStackFixture fixture) : IAsyncLifetime
{
    private CliStack _cli = null!;

    public async Task InitializeAsync()
    {
        _cli = await CliStack.CreateAsync(fixture);
        await _cli.SubmitRunningAsync("nlp-job-with-a-long-name", "{team: nlp, owner: ada}");
        await _cli.SubmitRunningAsync("vision-job", "{team: vision}");
        await _cli.PutTasksAsync("vision-job", slurmJobId: "4242");
    }

    public async Task DisposeAsync() => await _cli.DisposeAsync();

    [Fact]
    public async Task Get_jobs_prints_every_job_in_a_table_that_fits_80_columns()
    {
        var result = (await _cli.RunAsync("get", "jobs")).EnsureSuccess();

        var lines = result.StandardOutput.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        Assert.Matches(@"^NAME\s+PHASE\s+BATCHES\s+FAILED\s+DURATION\s+MESSAGE$", lines[0]);
        Assert.Matches(@"^nlp-job-with-a-long-name\s+Running\s+1/3\s+1\s+2m\d+s\s+1 of 3 bat\S*…$", lines[1]);
        Assert.Equal(80, lines[1].Length); // the message gave way, the name did not
        Assert.StartsWith("vision-job ", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_jobs_with_a_label_selector_lists_only_the_matching_jobs()
    {
        var nlp = (await _cli.RunAsync("get", "jobs", "-l", "team=nlp")).EnsureSuccess();
        var none = (await _cli.RunAsync("get", "jobs", "-l", "team=nlp,owner=bob")).EnsureSuccess();
        var bad = await _cli.RunAsync("get", "jobs", "-l", "team=nlp,,x");

        Assert.Contains("nlp-job-with", nlp.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("vision-job", nlp.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("", none.StandardOutput);
        Assert.Contains("No jobs found.", none.StandardError, StringComparison.Ordinal);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("empty requirement", bad.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_jobs_json_is_an_items_list_with_the_dynamodb_attribute_names()
    {
        var result = (await _cli.RunAsync("get", "jobs", "-o", "json", "-l", "team=vision")).EnsureSuccess();

        using var json = JsonDocument.Parse(result.StandardOutput);
        var job = Assert.Single(json.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal("vision-job", job.GetProperty("name").GetString());
        Assert.Equal("Job", job.GetProperty("kind").GetString());
        Assert.Equal("vision", job.GetProperty("labels").GetProperty("team").GetString());
        Assert.Equal(10, job.GetProperty("spec").GetProperty("batching").GetProperty("maxRecords").GetInt32());
        Assert.Equal("Running", job.GetProperty("status").GetProperty("phase").GetString());
        Assert.Equal(3, job.GetProperty("status").GetProperty("batches").GetProperty("total").GetInt32());
        Assert.Equal(1, job.GetProperty("version").GetInt32());
        // the same names as the stored item
        var item = await _cli.GetItemAsync("vision-job");
        Assert.All(new[] { "name", "kind", "labels", "spec", "status", "version", "generation", "specHash" }, a => Assert.True(item.ContainsKey(a), a));
    }

    [Fact]
    public async Task Get_job_prints_one_job_as_yaml_and_exits_1_for_a_job_that_does_not_exist()
    {
        var yaml = (await _cli.RunAsync("get", "job", "vision-job", "-o", "yaml")).EnsureSuccess();
        var missing = await _cli.RunAsync("get", "job", "no-such-job");
        var badName = await _cli.RunAsync("get", "job", "Not_A_Name");

        Assert.StartsWith("name: vision-job\nkind: Job\n", yaml.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("\n  phase: Running\n", yaml.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("job \"no-such-job\" not found", missing.StandardError, StringComparison.Ordinal);
        Assert.Equal(2, badName.ExitCode);
        Assert.Contains("must contain only lowercase letters", badName.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_job_shows_status_conditions_slurm_ids_and_the_failed_batch_with_its_stderr_tail()
    {
        var result = (await _cli.RunAsync("describe", "job", "vision-job")).EnsureSuccess();

        var text = result.StandardOutput;
        Assert.Contains("Name:               vision-job\n", text, StringComparison.Ordinal);
        Assert.Contains("Phase:              Running (generation 1, observed 1)\n", text, StringComparison.Ordinal);
        Assert.Contains("Slurm jobs:         4242\n", text, StringComparison.Ordinal);
        Assert.Matches(@"\n  Stored\s+True\s+BatchesStored\s+2m\d+s\s+3 batches\n", text);
        Assert.Contains("batch 1: Failed, attempt 3, exit 3, reason HandlerExit, Slurm 4242_1, host node1", text, StringComparison.Ordinal);
        Assert.Contains("    | ValueError: record 17 has no text\n", text, StringComparison.Ordinal);
        Assert.Contains("  spec:\n    input:\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tasks_lists_every_batch_and_state_failed_only_the_failed_one()
    {
        var all = (await _cli.RunAsync("tasks", "vision-job")).EnsureSuccess();
        var failed = (await _cli.RunAsync("tasks", "vision-job", "--state", "failed", "-o", "json")).EnsureSuccess();
        var badState = await _cli.RunAsync("tasks", "vision-job", "--state", "exploded");

        var lines = all.StandardOutput.TrimEnd('\n').Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.All(lines, l => Assert.True(l.Length <= 80, l));
        Assert.Matches(@"^\s*1\s+Failed\s+3\s+3\s+4242_1\s+node1\s+\d+s\s+HandlerExit$", lines[2]);
        using var json = JsonDocument.Parse(failed.StandardOutput);
        var task = Assert.Single(json.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal(1, task.GetProperty("index").GetInt32());
        Assert.Equal("Failed", task.GetProperty("state").GetString());
        Assert.Contains("ValueError", task.GetProperty("stderrTail").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, badState.ExitCode);
        Assert.Contains("unknown task state \"exploded\"", badState.StandardError, StringComparison.Ordinal);
    }
}
