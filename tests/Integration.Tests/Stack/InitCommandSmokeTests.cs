using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Coordinator.Aws;
using Coordinator.Controllers.Configuration;
using Coordinator.Integration.Tests.Fixtures;

namespace Coordinator.Integration.Tests.Stack;

/// <summary>
/// `coordinator init`, run as the built executable, twice in a row: the first run creates the three tables and the
/// bucket, the second finds them and changes nothing, both exit 0. On moto, and with DynamoDB on DynamoDB Local.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class InitCommandSmokeTests(LocalStackFixture stack)
{
    public static TheoryData<StackTarget> Targets => new() { StackTarget.Moto, StackTarget.DynamoDbLocal };

    [SkippableTheory]
    [MemberData(nameof(Targets))]
    public async Task Init_run_twice_creates_then_keeps_the_tables_and_bucket(StackTarget target)
    {
        Skip.If(target == StackTarget.DynamoDbLocal && stack.DynamoDbLocalUrl is null, stack.DynamoDbLocalUnavailableReason);
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var options = new CoordinatorOptions
        {
            JobsTable = $"init-jobs-{suffix}", TasksTable = $"init-tasks-{suffix}",
            LeasesTable = $"init-leases-{suffix}", Bucket = $"init-{suffix}",
        };
        var dynamoEndpoint = target == StackTarget.Moto ? stack.EndpointUrl : stack.DynamoDbLocalUrl!;
        var environment = new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL"] = stack.EndpointUrl,
            ["AWS_ENDPOINT_URL_DYNAMODB"] = dynamoEndpoint,
        };
        string[] arguments =
        [
            "init", $"--Coordinator:JobsTable={options.JobsTable}", $"--Coordinator:TasksTable={options.TasksTable}",
            $"--Coordinator:LeasesTable={options.LeasesTable}", $"--Coordinator:Bucket={options.Bucket}",
        ];
        using var dynamoDb = new AwsClientFactory(new CoordinatorOptions { EndpointUrl = dynamoEndpoint }).CreateDynamoDb();
        using var s3 = stack.MotoClients().CreateS3();
        try
        {
            var first = (await CoordinatorCli.RunAsync(arguments, environment)).EnsureSuccess();
            var second = (await CoordinatorCli.RunAsync(arguments, environment)).EnsureSuccess();

            foreach (var name in new[] { options.JobsTable, options.TasksTable, options.LeasesTable, options.Bucket })
            {
                Assert.Contains($"{name}: Created", first.StandardOutput);
                Assert.Contains($"{name}: AlreadyExisted", second.StandardOutput);
            }
            Assert.Contains(dynamoEndpoint.TrimEnd('/'), first.StandardOutput);
            await AssertStreamedTableAsync(dynamoDb, options.JobsTable, "name:HASH");
            await AssertStreamedTableAsync(dynamoDb, options.TasksTable, "job:HASH,index:RANGE");
            await AssertStreamedTableAsync(dynamoDb, options.LeasesTable, "name:HASH");
            Assert.Equal(System.Net.HttpStatusCode.OK, (await s3.ListObjectsV2Async(new() { BucketName = options.Bucket })).HttpStatusCode);
        }
        finally
        {
            await Coordinator.Testing.Provisioning.StackTeardown.DeleteAsync(dynamoDb, s3, options, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Init_with_a_bad_setting_exits_2_naming_the_setting_and_creates_nothing()
    {
        var result = await CoordinatorCli.RunAsync(["init", "--Coordinator:Bucket=Bad_Bucket"],
            new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = stack.EndpointUrl });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Coordinator:Bucket: must match ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$; got \"Bad_Bucket\"", result.StandardError);
        Assert.DoesNotContain("Created", result.StandardOutput);
    }

    [Fact]
    public async Task Init_against_an_endpoint_nobody_listens_on_exits_3_with_the_reason()
    {
        var result = await CoordinatorCli.RunAsync(["init", "--Coordinator:JobsTable=never-created"],
            new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9" }, TimeSpan.FromMinutes(3));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("init failed: AWS is unreachable or refused the request", result.StandardError);
    }

    private static async Task AssertStreamedTableAsync(IAmazonDynamoDB dynamoDb, string table, string keys)
    {
        var description = (await dynamoDb.DescribeTableAsync(new DescribeTableRequest { TableName = table })).Table;
        Assert.Equal(keys, string.Join(',', description.KeySchema.Select(k => $"{k.AttributeName}:{k.KeyType.Value}")));
        Assert.True(description.StreamSpecification?.StreamEnabled, $"table {table} has no stream");
        Assert.Equal("NEW_AND_OLD_IMAGES", description.StreamSpecification!.StreamViewType.Value);
        Assert.False(string.IsNullOrEmpty(description.LatestStreamArn));
    }
}
