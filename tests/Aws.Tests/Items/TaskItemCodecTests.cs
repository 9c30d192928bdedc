using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Items;
using Coordinator.Model.Errors;
using Coordinator.Model.Tasks;
using CsCheck;

namespace Coordinator.Aws.Tests.Items;

public class TaskItemCodecTests
{
    private static readonly Gen<DateTimeOffset?> Time =
        Gen.Long[0, 4_000_000_000_000].Select(DateTimeOffset.FromUnixTimeMilliseconds).Nullable(0.3);

    private static readonly Gen<string?> Text = Gen.String[0, 20].Null(0.3).Select(s => s is "" ? null : s);

    private static readonly Gen<JobTask> Task = Gen.Select(
        Gen.Select(Gen.Int[0, 1_000_000], Gen.Enum<TaskState>(), Gen.Int[0, 100], Text, Text, Text, Gen.Long[0, 1000]),
        Gen.Select(Time, Time, Time, Time, Text, Gen.Long[0, long.MaxValue].Nullable(0.3), Gen.Int[0, 255].Nullable(0.4)),
        (a, b) => new JobTask
        {
            Job = "job-1", Index = a.Item1, State = a.Item2, Attempt = a.Item3, SlurmJobId = a.Item4, Host = a.Item5,
            StderrTail = a.Item6, Version = a.Item7, Generation = a.Item7 % 5,
            Heartbeat = b.Item1, StartedAt = b.Item2, FinishedAt = b.Item3, NotBefore = b.Item4, ResultKey = b.Item5,
            InputKey = "k", InputSha256 = "abc", OutputRecords = b.Item6, ExitCode = b.Item7, InputRecords = a.Item1,
            Verdict = (TaskVerdict)(a.Item1 % Enum.GetValues<TaskVerdict>().Length), UnclaimedSubmissions = a.Item3 % 4,
        });

    [Fact]
    public void A_task_survives_the_item_round_trip() =>
        Task.Sample(task => Assert.Equal(JsonSerializer.Serialize(task), JsonSerializer.Serialize(TaskItemCodec.Decode(TaskItemCodec.Encode(task)))));

    [Fact]
    public void The_item_uses_the_documented_keys_and_types()
    {
        var item = TaskItemCodec.Encode(new JobTask
        {
            Job = "wc", Index = 7, State = TaskState.Running, Version = 3,
            Heartbeat = DateTimeOffset.Parse("2026-11-29T10:00:00+02:00"),
        });

        Assert.Equal("wc", item["job"].S);
        Assert.Equal("7", item["index"].N);
        Assert.Equal("Running", item["state"].S);
        Assert.Equal("3", item["version"].N);
        Assert.Equal("2026-11-29T08:00:00.0000000Z", item["heartbeat"].S);
        Assert.False(item.ContainsKey("slurmJobId"));
    }

    [Fact]
    public void A_wrongly_typed_attribute_throws_naming_it()
    {
        var item = TaskItemCodec.Encode(new JobTask { Job = "wc", Index = 1 });
        item["attempt"] = new AttributeValue { S = "two" };

        var ex = Assert.Throws<ItemFormatException>(() => TaskItemCodec.Decode(item));

        Assert.Equal("attempt: expected a number (N), got S \"two\"", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Verdicts))]
    public void Every_verdict_survives_the_round_trip_as_its_own_attribute(TaskVerdict verdict)
    {
        var task = new JobTask { Job = "wc", Index = 2, State = TaskState.Failed, Reason = "HandlerExit: exit code 42", Verdict = verdict };

        var item = TaskItemCodec.Encode(task);

        Assert.Equal(verdict, TaskItemCodec.Decode(item).Verdict);
        if (verdict == TaskVerdict.None)
        {
            Assert.False(item.ContainsKey("verdict"));
        }
        else
        {
            Assert.Equal(verdict.ToString(), item["verdict"].S);
        }
    }

    [Fact]
    public void A_written_verdict_wins_over_a_reason_that_starts_with_FailJob()
    {
        var task = new JobTask { Job = "wc", Index = 2, State = TaskState.Failed, Reason = "FailJob: HandlerExit: exit code 1", Verdict = TaskVerdict.FailBatch };

        Assert.Equal(TaskVerdict.FailBatch, TaskItemCodec.Decode(TaskItemCodec.Encode(task)).Verdict);
    }

    public static TheoryData<TaskVerdict> Verdicts() => [.. Enum.GetValues<TaskVerdict>()];

    [Theory]
    [InlineData(TaskState.Failed, "FailJob: HandlerExit: exit code 42; FailJob rule", TaskVerdict.FailJob)]
    [InlineData(TaskState.Failed, "HandlerExit: exit code 1; attempt 3 of 3", TaskVerdict.None)]
    [InlineData(TaskState.Failed, null, TaskVerdict.None)]
    [InlineData(TaskState.Pending, "Redrive (was: FailJob: HandlerExit: exit code 42)", TaskVerdict.None)]
    public void An_item_written_before_the_verdict_attribute_infers_FailJob_from_the_old_reason_prefix(TaskState state, string? reason, TaskVerdict expected)
    {
        var item = TaskItemCodec.Encode(new JobTask { Job = "wc", Index = 1, State = state, Reason = reason });
        Assert.False(item.ContainsKey("verdict"));

        Assert.Equal(expected, TaskItemCodec.Decode(item).Verdict);
    }

    [Fact]
    public void An_unknown_verdict_throws_naming_the_attribute()
    {
        var item = TaskItemCodec.Encode(new JobTask { Job = "wc", Index = 1 });
        item["verdict"] = new AttributeValue { S = "Maybe" };

        var ex = Assert.Throws<ItemFormatException>(() => TaskItemCodec.Decode(item));

        Assert.StartsWith("verdict: expected one of None, Retry, RetryUncounted, FailBatch, FailJob, Ignore", ex.Message, StringComparison.Ordinal);
    }
}
