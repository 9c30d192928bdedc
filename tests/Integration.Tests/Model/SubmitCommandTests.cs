using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Items;
using Coordinator.Integration.Tests.Fixtures;
using Coordinator.Model.Status;
using Coordinator.Testing;
using Coordinator.Testing.Processes;

namespace Coordinator.Integration.Tests.Model;

/// <summary>
/// `coordinator submit`, run as a separate process against moto: a conditional create, a refusal to overwrite,
/// a --replace that keeps the daemon's status, and templates stored and inherited from the jobs table.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class SubmitCommandTests(LocalStackFixture fixture) : IAsyncLifetime
{
    private ProvisionedStack _stack = null!;

    public async Task InitializeAsync() => _stack = await fixture.ProvisionAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private Task<ProcessResult> Coordinator(params string[] args) =>
        CoordinatorCli.RunAsync([.. args, $"--Coordinator:JobsTable={_stack.Options.JobsTable}"],
            new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = fixture.EndpointUrl });

    private async Task<Dictionary<string, AttributeValue>> GetItemAsync(string name) =>
        (await _stack.DynamoDb.GetItemAsync(new GetItemRequest
        {
            TableName = _stack.Options.JobsTable,
            Key = new Dictionary<string, AttributeValue> { ["name"] = new() { S = name } },
            ConsistentRead = true,
        })).Item;

    [Fact]
    public async Task Submit_creates_the_job_and_refuses_a_second_submit_without_replace()
    {
        var file = RepoFiles.Path("examples", "wordcount", "job.yaml");

        var first = await Coordinator("submit", "-f", file);
        var second = await Coordinator("submit", "-f", file, "--set", "slurm.maxConcurrent=3");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("already exists", second.StandardError, StringComparison.Ordinal);
        Assert.Contains("--replace", second.StandardError, StringComparison.Ordinal);
        var job = JobItemCodec.Decode(await GetItemAsync("wordcount-example"));
        Assert.Empty(job.DecodeErrors);
        Assert.Equal(50, job.Spec.Slurm.MaxConcurrent);
    }

    [Fact]
    public async Task Submit_with_replace_changes_the_spec_and_keeps_the_status_the_daemon_wrote()
    {
        var file = RepoFiles.Path("examples", "wordcount", "job.yaml");
        (await Coordinator("submit", "-f", file)).EnsureSuccess();
        var running = new JobStatus { Phase = JobPhase.Running, ObservedGeneration = 1, Message = "3 of 10 batches done" };
        await _stack.DynamoDb.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = _stack.Options.JobsTable,
            Key = new Dictionary<string, AttributeValue> { ["name"] = new() { S = "wordcount-example" } },
            UpdateExpression = "SET #s = :s, #v = :v",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#s"] = "status", ["#v"] = "version" },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":s"] = JobItemCodec.EncodeStatus(running),
                [":v"] = new() { N = "4" },
            },
        });

        var replaced = await Coordinator("submit", "-f", file, "--replace", "--set", "slurm.maxConcurrent=5");

        Assert.Equal(0, replaced.ExitCode);
        var job = JobItemCodec.Decode(await GetItemAsync("wordcount-example"));
        Assert.Equal(5, job.Spec.Slurm.MaxConcurrent);
        Assert.Equal(JobPhase.Running, job.Status.Phase);
        Assert.Equal("3 of 10 batches done", job.Status.Message);
        Assert.Equal(4, job.Version);
    }

    [Fact]
    public async Task A_submitted_template_is_inherited_by_a_job_that_names_it()
    {
        var dir = Directory.CreateTempSubdirectory("coordinator-template-");
        try
        {
            var template = Path.Combine(dir.FullName, "template.yaml");
            await File.WriteAllTextAsync(template, """
                apiVersion: coordinator/v1
                kind: JobTemplate
                metadata: {name: base-cpu}
                spec:
                  slurm: {partition: debug, memory: 4G, maxConcurrent: 12}
                  retry: {maxAttempts: 5}
                """);
            var jobFile = Path.Combine(dir.FullName, "job.yaml");
            await File.WriteAllTextAsync(jobFile, """
                apiVersion: coordinator/v1
                kind: Job
                metadata: {name: uses-template}
                spec:
                  template: base-cpu
                  input: {uri: "s3://some-bucket/in/"}
                  batching: {maxRecords: 10}
                  handler: {command: [python3, h.py]}
                  output: {uri: "s3://some-bucket/out/"}
                  slurm: {maxConcurrent: 3}
                """);

            (await Coordinator("submit", "-f", template)).EnsureSuccess();
            var plan = await Coordinator("plan", "-f", jobFile);
            (await Coordinator("submit", "-f", jobFile)).EnsureSuccess();

            Assert.Equal(0, plan.ExitCode);
            Assert.Contains("memory: 4G", plan.StandardOutput, StringComparison.Ordinal);
            var templateItem = await GetItemAsync("template:base-cpu");
            Assert.Equal("JobTemplate", templateItem["kind"].S);
            var job = JobItemCodec.Decode(await GetItemAsync("uses-template"));
            Assert.Equal("debug", job.Spec.Slurm.Partition);
            Assert.Equal("4G", job.Spec.Slurm.Memory);
            Assert.Equal(3, job.Spec.Slurm.MaxConcurrent);
            Assert.Equal(5, job.Spec.Retry.MaxAttempts);
            Assert.Equal("base-cpu", job.Spec.Template);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Validate_of_a_job_naming_an_unknown_template_exits_1_naming_the_template()
    {
        var dir = Directory.CreateTempSubdirectory("coordinator-template-");
        try
        {
            var jobFile = Path.Combine(dir.FullName, "job.yaml");
            await File.WriteAllTextAsync(jobFile, """
                apiVersion: coordinator/v1
                kind: Job
                metadata: {name: orphan}
                spec:
                  template: no-such-template
                  input: {uri: "s3://some-bucket/in/"}
                """);

            var result = await Coordinator("validate", "-f", jobFile);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("spec.template (line 5, col 13): unknown template \"no-such-template\"", result.StandardError, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
