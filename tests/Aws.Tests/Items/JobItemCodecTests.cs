using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Items;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Condition = Coordinator.Model.Status.Condition;

namespace Coordinator.Aws.Tests.Items;

public class JobItemCodecTests
{
    private static Dictionary<string, AttributeValue> DesignExample() => new()
    {
        ["name"] = new() { S = "wordcount-2026-11" },
        ["spec"] = new()
        {
            M = new()
            {
                ["input"] = new() { M = new() { ["uri"] = new() { S = "s3://data/in/" }, ["format"] = new() { S = "jsonl" } } },
                ["batching"] = new() { M = new() { ["maxRecords"] = new() { N = "1000" } } },
                ["handler"] = new() { M = new() { ["command"] = new() { L = [new() { S = "python3" }, new() { S = "/opt/handlers/wc.py" }] } } },
                ["output"] = new() { M = new() { ["uri"] = new() { S = "s3://data/out/wordcount-2026-11/" } } },
            },
        },
    };

    [Fact]
    public void Decode_reads_the_design_example_item_without_errors()
    {
        var job = JobItemCodec.Decode(DesignExample());

        Assert.Empty(job.DecodeErrors);
        Assert.Equal("wordcount-2026-11", job.Name);
        Assert.Equal("s3://data/in/", job.Spec.Input.Uri);
        Assert.Equal(1000, job.Spec.Batching.MaxRecords);
        Assert.Equal(["python3", "/opt/handlers/wc.py"], job.Spec.Handler.Command);
        Assert.Equal(JobSpecDefaults.MaxConcurrent, job.Spec.Slurm.MaxConcurrent);
        Assert.Equal(JobPhase.Pending, job.Status.Phase);
    }

    [Fact]
    public void Decode_reports_a_string_where_a_number_belongs_with_its_path_and_dynamodb_types()
    {
        var item = DesignExample();
        item["spec"].M["batching"].M["maxRecords"] = new AttributeValue { S = "ten" };

        var job = JobItemCodec.Decode(item);

        Assert.Equal(["spec.batching.maxRecords: expected a number (N), got S \"ten\""], job.DecodeErrors);
    }

    [Fact]
    public void Decode_of_specYaml_gives_the_same_spec_as_the_map()
    {
        var yamlItem = new Dictionary<string, AttributeValue>
        {
            ["name"] = new() { S = "wordcount-2026-11" },
            ["specYaml"] = new()
            {
                S = "input: {uri: \"s3://data/in/\", format: jsonl}\nbatching: {maxRecords: 1000}\n" +
                    "handler: {command: [python3, /opt/handlers/wc.py]}\noutput: {uri: \"s3://data/out/wordcount-2026-11/\"}\n",
            },
        };

        var fromYaml = JobItemCodec.Decode(yamlItem);
        var fromMap = JobItemCodec.Decode(DesignExample());

        Assert.Empty(fromYaml.DecodeErrors);
        Assert.Equal(SpecHash.Compute(fromMap.Spec), SpecHash.Compute(fromYaml.Spec));
    }

    [Fact]
    public void EncodeNew_then_Decode_gives_back_the_same_job_and_writes_no_status()
    {
        var job = JobItemCodec.Decode(DesignExample());
        job.Labels["team"] = "nlp";

        var item = JobItemCodec.EncodeNew(job);
        var back = JobItemCodec.Decode(item);

        Assert.False(item.ContainsKey("status"));
        Assert.Empty(back.DecodeErrors);
        Assert.Equal(SpecHash.Compute(job.Spec), SpecHash.Compute(back.Spec));
        Assert.Equal("nlp", back.Labels["team"]);
    }

    [Fact]
    public void Status_round_trips_through_its_item_map()
    {
        var status = new JobStatus
        {
            Phase = JobPhase.Running,
            ObservedGeneration = 2,
            Conditions = [new Condition { Type = ConditionTypes.Valid, Status = "True", Reason = "Validated", LastTransitionTime = DateTimeOffset.Parse("2026-11-29T09:00:00Z"), ObservedGeneration = 2 }],
            Batches = new BatchCounts { Total = 10, Running = 3, Succeeded = 7 },
            CompletedIndexes = "0-6",
            StartedAt = DateTimeOffset.Parse("2026-11-29T09:00:01.5Z"),
            Dispatch = new DispatchIntent { Token = "t1", Indexes = "0-9", SlurmJobId = "42", CreatedAt = DateTimeOffset.Parse("2026-11-29T09:00:02Z") },
        };

        var back = JobItemCodec.DecodeStatus(JobItemCodec.EncodeStatus(status));

        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(status), System.Text.Json.JsonSerializer.Serialize(back));
    }

    [Fact]
    public void Status_events_round_trip_through_the_item_as_status_events()
    {
        var first = DateTimeOffset.Parse("2026-11-29T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var status = new JobStatus
        {
            Events =
            [
                new JobEvent { Type = JobEventTypes.Warning, Reason = "ReconcileError", Message = "dispatch: boom", Count = 7, FirstTimestamp = first, LastTimestamp = first.AddMinutes(3) },
                new JobEvent { Type = JobEventTypes.Normal, Reason = "Resumed", Message = "ok", Count = 1, FirstTimestamp = first, LastTimestamp = first },
            ],
        };

        var encoded = JobItemCodec.EncodeStatus(status);
        var back = JobItemCodec.DecodeStatus(encoded);

        var events = encoded.M["events"].L;
        Assert.Equal(2, events.Count);
        Assert.Equal(("Warning", "ReconcileError", "dispatch: boom", "7", "2026-11-29T09:03:00.0000000Z"),
            (events[0].M["type"].S, events[0].M["reason"].S, events[0].M["message"].S, events[0].M["count"].N, events[0].M["lastTimestamp"].S));
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(status), System.Text.Json.JsonSerializer.Serialize(back));
    }
}
