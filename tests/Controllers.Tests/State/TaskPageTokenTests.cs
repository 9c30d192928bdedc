using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.DynamoDb;

namespace Coordinator.Controllers.Tests.State;

public sealed class TaskPageTokenTests
{
    [Fact]
    public void The_token_is_the_last_index_and_rebuilds_the_start_key_for_the_same_job()
    {
        var last = new Dictionary<string, AttributeValue> { ["job"] = new() { S = "wc" }, ["index"] = new() { N = "249" } };

        var token = TaskPageToken.FromLastEvaluatedKey(last);
        var start = TaskPageToken.ToExclusiveStartKey("wc", token)!;

        Assert.Equal("249", token);
        Assert.Equal("wc", start["job"].S);
        Assert.Equal("249", start["index"].N);
    }

    [Fact]
    public void No_last_key_means_no_more_pages_and_no_token_means_the_first_page()
    {
        Assert.Null(TaskPageToken.FromLastEvaluatedKey(null));
        Assert.Null(TaskPageToken.ToExclusiveStartKey("wc", null));
        Assert.Null(TaskPageToken.ToExclusiveStartKey("wc", ""));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1.5")]
    public void A_token_that_is_not_an_index_is_rejected_naming_it(string token)
    {
        var error = Assert.Throws<ArgumentException>(() => TaskPageToken.ToExclusiveStartKey("wc", token));
        Assert.Contains($"\"{token}\"", error.Message);
    }
}
