using System.Text.Json;
using Coordinator.Aws.Items;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;
using Coordinator.Reconciler.Cli.Output;

namespace Coordinator.Reconciler.Tests.Cli;

/// <summary>The -o json shape scripts rely on: the DynamoDB item's attribute names, plain JSON values.</summary>
public sealed class ItemDocumentsTests
{
    [Fact]
    public void Job_json_uses_the_item_attribute_names_with_numbers_as_numbers_and_times_as_iso_strings()
    {
        var job = JobTableTests.RunningJob("wc");
        job.Spec.Slurm.MaxConcurrent = 7;
        job.Spec.Input.Uri = "s3://data/in/";
        job.Version = 9;
        job.SpecHash = "abc";
        job.Status.Conditions.Add(new Condition { Type = "Valid", Status = "True", Reason = "Ok", LastTransitionTime = job.Status.StartedAt!.Value });

        using var json = JsonDocument.Parse(ItemDocuments.Render(ItemDocuments.Job(job), OutputFormat.Json));

        var root = json.RootElement;
        Assert.Equal(
            [JobItemCodec.Names.Name, JobItemCodec.Names.Kind, JobItemCodec.Names.Spec, JobItemCodec.Names.Labels,
             JobItemCodec.Names.Status, JobItemCodec.Names.Generation, JobItemCodec.Names.SpecHash, JobItemCodec.Names.Version],
            root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("wc", root.GetProperty("name").GetString());
        Assert.Equal(7, root.GetProperty("spec").GetProperty("slurm").GetProperty("maxConcurrent").GetInt32());
        Assert.Equal("s3://data/in/", root.GetProperty("spec").GetProperty("input").GetProperty("uri").GetString());
        Assert.Equal("nlp", root.GetProperty("labels").GetProperty("team").GetString());
        var status = root.GetProperty("status");
        Assert.Equal("Running", status.GetProperty("phase").GetString());
        Assert.Equal(40, status.GetProperty("batches").GetProperty("total").GetInt64());
        Assert.Equal(JsonValueKind.Number, status.GetProperty("records").GetProperty("input").ValueKind);
        Assert.Equal(job.Status.StartedAt, DateTimeOffset.Parse(status.GetProperty("startedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Valid", status.GetProperty("conditions")[0].GetProperty("type").GetString());
        Assert.Equal(9, root.GetProperty("version").GetInt64());
        Assert.False(root.TryGetProperty("decodeErrors", out _));
    }

    [Fact]
    public void An_undecodable_job_carries_its_decode_errors_in_json()
    {
        var job = JobTableTests.RunningJob("broken");
        job.DecodeErrors = ["spec.batching: at least one of maxRecords or maxBytes is required"];

        using var json = JsonDocument.Parse(JsonDocumentWriter.Write(ItemDocuments.Job(job)));

        Assert.Equal("spec.batching: at least one of maxRecords or maxBytes is required",
            json.RootElement.GetProperty("decodeErrors")[0].GetString());
    }

    [Fact]
    public void A_list_is_an_object_with_items_so_an_empty_list_is_still_json()
    {
        Assert.Equal("{\n  \"items\": []\n}\n", JsonDocumentWriter.Write(ItemDocuments.List([])));
    }

    [Fact]
    public void Task_json_has_the_task_item_names_and_omits_unset_fields()
    {
        var task = new JobTask { Job = "wc", Index = 3, State = TaskState.Failed, Attempt = 2, ExitCode = 1, StderrTail = "boom\n", SlurmJobId = "77", SlurmArrayTaskId = "3" };

        using var json = JsonDocument.Parse(ItemDocuments.Render(ItemDocuments.Task(task), OutputFormat.Json));

        var root = json.RootElement;
        Assert.Equal("wc", root.GetProperty(TaskItemCodec.JobKey).GetString());
        Assert.Equal(3, root.GetProperty(TaskItemCodec.IndexKey).GetInt32());
        Assert.Equal("Failed", root.GetProperty(TaskItemCodec.Names.State).GetString());
        Assert.Equal(1, root.GetProperty(TaskItemCodec.Names.ExitCode).GetInt32());
        Assert.Equal("boom\n", root.GetProperty(TaskItemCodec.Names.StderrTail).GetString());
        Assert.False(root.TryGetProperty(TaskItemCodec.Names.Host, out _));
    }

    [Fact]
    public void Yaml_output_is_the_same_document_with_quoted_ambiguous_strings()
    {
        var job = JobTableTests.RunningJob("wc");
        job.Labels["build"] = "123";

        var yaml = ItemDocuments.Render(ItemDocuments.Job(job), OutputFormat.Yaml);

        Assert.StartsWith("name: wc\nkind: Job\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  phase: Running\n", yaml, StringComparison.Ordinal);
        Assert.Contains("build: \"123\"", yaml, StringComparison.Ordinal);
    }
}
