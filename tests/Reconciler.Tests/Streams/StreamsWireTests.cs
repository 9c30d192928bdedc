using System.Text;
using System.Text.Json;
using Coordinator.Aws.Streams;

namespace Coordinator.Reconciler.Tests.Streams;

public sealed class StreamsWireTests
{
    [Fact]
    public void Request_bodies_use_the_service_model_member_names_and_omit_absent_members()
    {
        Assert.Equal("{\"StreamArn\":\"arn:s\",\"ShardId\":\"shard-1\",\"ShardIteratorType\":\"AFTER_SEQUENCE_NUMBER\",\"SequenceNumber\":\"42\"}",
            Encoding.UTF8.GetString(StreamsWire.GetShardIteratorBody("arn:s", "shard-1", ShardIteratorType.AfterSequenceNumber, "42")));
        Assert.Equal("{\"StreamArn\":\"arn:s\",\"ExclusiveStartShardId\":\"shard-9\",\"Limit\":100}",
            Encoding.UTF8.GetString(StreamsWire.DescribeStreamBody("arn:s", "shard-9", 100)));
        Assert.Equal("{\"ShardIterator\":\"it\"}", Encoding.UTF8.GetString(StreamsWire.GetRecordsBody("it", null)));
        Assert.Equal("{\"TableName\":\"jobs\"}", Encoding.UTF8.GetString(StreamsWire.ListStreamsBody("jobs", null, null)));
    }

    [Fact]
    public void DescribeStream_parses_shards_lineage_closed_ranges_and_the_continuation()
    {
        using var json = JsonDocument.Parse("""
            {"StreamDescription":{"StreamArn":"arn:s","StreamStatus":"ENABLED","TableName":"jobs",
             "Shards":[{"ShardId":"p","SequenceNumberRange":{"StartingSequenceNumber":"1","EndingSequenceNumber":"9"}},
                       {"ShardId":"c","ParentShardId":"p","SequenceNumberRange":{"StartingSequenceNumber":"10"}}],
             "LastEvaluatedShardId":"c"}}
            """);

        var description = StreamsWire.ParseDescribeStream(json.RootElement);

        Assert.Equal("c", description.LastEvaluatedShardId);
        Assert.True(description.Shards[0].IsClosed);
        Assert.False(description.Shards[1].IsClosed);
        Assert.Equal("p", description.Shards[1].ParentShardId);
    }

    [Fact]
    public void GetRecords_parses_images_of_every_attribute_type_and_the_creation_time()
    {
        using var json = JsonDocument.Parse("""
            {"Records":[{"eventID":"e1","eventName":"MODIFY","dynamodb":{"ApproximateCreationDateTime":1764400000.5,
              "Keys":{"name":{"S":"wc"}},"SequenceNumber":"300","SizeBytes":120,
              "NewImage":{"name":{"S":"wc"},"n":{"N":"3"},"ok":{"BOOL":true},"none":{"NULL":true},"tags":{"SS":["a","b"]},
                          "nums":{"NS":["1","2"]},"blob":{"B":"aGk="},"list":{"L":[{"S":"x"},{"N":"1"}]},
                          "spec":{"M":{"input":{"M":{"uri":{"S":"s3://b/k"}}}}}},
              "OldImage":{"name":{"S":"wc"}}}}],"NextShardIterator":"next"}
            """);

        var result = StreamsWire.ParseGetRecords(json.RootElement);

        var record = Assert.Single(result.Records);
        Assert.Equal("next", result.NextShardIterator);
        Assert.Equal("MODIFY", record.EventName);
        Assert.Equal("300", record.SequenceNumber);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764400000500), record.ApproximateCreationDateTime);
        var image = record.NewImage!;
        Assert.Equal("3", image["n"].N);
        Assert.True(image["ok"].BOOL);
        Assert.True(image["none"].NULL);
        Assert.Equal(["a", "b"], image["tags"].SS);
        Assert.Equal(["1", "2"], image["nums"].NS);
        Assert.Equal("hi", Encoding.UTF8.GetString(image["blob"].B.ToArray()));
        Assert.Equal("x", image["list"].L[0].S);
        Assert.Equal("s3://b/k", image["spec"].M["input"].M["uri"].S);
        Assert.Equal("wc", record.OldImage!["name"].S);
    }

    [Fact]
    public void A_closed_shard_read_to_its_end_has_no_next_iterator()
    {
        using var json = JsonDocument.Parse("""{"Records":[]}""");
        Assert.Null(StreamsWire.ParseGetRecords(json.RootElement).NextShardIterator);
    }

    [Fact]
    public void An_unknown_attribute_type_is_rejected_naming_its_path()
    {
        using var json = JsonDocument.Parse("""{"dynamodb":{"SequenceNumber":"1","NewImage":{"spec":{"M":{"x":{"Q":"?"}}}}}}""");
        var error = Assert.Throws<FormatException>(() => StreamsWire.ParseRecord(json.RootElement));
        Assert.Contains("NewImage.spec.x", error.Message);
    }

    [Fact]
    public void A_record_that_cannot_be_read_is_reported_and_the_rest_of_the_page_is_kept()
    {
        using var json = JsonDocument.Parse("""
            {"Records":[{"eventName":"INSERT","dynamodb":{"SequenceNumber":"1","Keys":{"name":{"S":"a"}}}},
                        {"eventName":"INSERT","dynamodb":{"SequenceNumber":"2","Keys":{"name":{"Z":"?"}}}},
                        {"eventName":"INSERT","dynamodb":{"SequenceNumber":"3","Keys":{"name":{"S":"c"}}}}],
             "NextShardIterator":"n"}
            """);

        var result = StreamsWire.ParseGetRecords(json.RootElement);

        Assert.Equal(["1", "3"], result.Records.Select(r => r.SequenceNumber));
        var bad = Assert.Single(result.Undecodable);
        Assert.Equal("2", bad.SequenceNumber);
        Assert.Contains("Keys.name", bad.Error);
    }

    [Fact]
    public void Errors_yield_the_code_after_the_hash_and_the_message()
    {
        Assert.Equal(("ExpiredIteratorException", "Iterator expired"),
            StreamsWire.ParseError("""{"__type":"com.amazonaws.dynamodb.v20120810#ExpiredIteratorException","message":"Iterator expired"}"""));
        Assert.Equal(("TrimmedDataAccessException", "gone"), StreamsWire.ParseError("""{"__type":"TrimmedDataAccessException","Message":"gone"}"""));
        Assert.Equal("Unknown", StreamsWire.ParseError("<html>bad gateway</html>").Code);
    }

    [Fact]
    public void Throttling_and_server_errors_are_retried_but_expired_iterators_and_trimmed_data_are_not()
    {
        Assert.True(DynamoDbStreamsClient.IsTransient(new StreamsException("LimitExceededException", "", System.Net.HttpStatusCode.BadRequest)));
        Assert.True(DynamoDbStreamsClient.IsTransient(new StreamsException("InternalServerError", "", System.Net.HttpStatusCode.InternalServerError)));
        Assert.True(DynamoDbStreamsClient.IsTransient(new HttpRequestException("refused")));
        Assert.False(DynamoDbStreamsClient.IsTransient(new StreamsException("ExpiredIteratorException", "", System.Net.HttpStatusCode.BadRequest)));
        Assert.False(DynamoDbStreamsClient.IsTransient(new StreamsException("TrimmedDataAccessException", "", System.Net.HttpStatusCode.BadRequest)));
    }
}
