using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Provisioning;
using Coordinator.Controllers.Configuration;
using Coordinator.Integration.Tests.Fixtures;

namespace Coordinator.Integration.Tests.Provisioning;

/// <summary>StackProvisioner's repairs and refusals on tables that already exist, on moto and DynamoDB Local.</summary>
[Collection(LocalStackCollection.Name)]
public sealed class StackProvisionerTests(LocalStackFixture stack)
{
    public static TheoryData<StackTarget> Targets => new() { StackTarget.Moto, StackTarget.DynamoDbLocal };

    [SkippableTheory]
    [MemberData(nameof(Targets))]
    public async Task A_table_without_a_stream_gets_a_new_and_old_images_stream(StackTarget target)
    {
        Skip.If(target == StackTarget.DynamoDbLocal && stack.DynamoDbLocalUrl is null, stack.DynamoDbLocalUnavailableReason);
        var (options, dynamoDb, s3) = Clients(target);
        using (dynamoDb)
        using (s3)
        {
            try
            {
                await CreateTableAsync(dynamoDb, options.JobsTable, "name", ScalarAttributeType.S, stream: null);

                var steps = await new StackProvisioner(dynamoDb, s3).EnsureAsync(options, CancellationToken.None);

                Assert.Equal(ProvisioningAction.StreamEnabled, steps.Single(s => s.Name == options.JobsTable).Action);
                var table = (await dynamoDb.DescribeTableAsync(new DescribeTableRequest { TableName = options.JobsTable })).Table;
                Assert.True(table.StreamSpecification.StreamEnabled);
                Assert.Equal("NEW_AND_OLD_IMAGES", table.StreamSpecification.StreamViewType.Value);
            }
            finally
            {
                await Coordinator.Testing.Provisioning.StackTeardown.DeleteAsync(dynamoDb, s3, options, CancellationToken.None);
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Targets))]
    public async Task A_table_with_other_keys_is_refused_with_a_message_naming_it_and_left_untouched(StackTarget target)
    {
        Skip.If(target == StackTarget.DynamoDbLocal && stack.DynamoDbLocalUrl is null, stack.DynamoDbLocalUnavailableReason);
        var (options, dynamoDb, s3) = Clients(target);
        using (dynamoDb)
        using (s3)
        {
            try
            {
                await CreateTableAsync(dynamoDb, options.TasksTable, "id", ScalarAttributeType.N, stream: null);

                var error = await Assert.ThrowsAsync<ProvisioningException>(
                    () => new StackProvisioner(dynamoDb, s3).EnsureAsync(options, CancellationToken.None));

                Assert.Contains($"table {options.TasksTable} exists with key schema [id (N, HASH)]", error.Message);
                var table = (await dynamoDb.DescribeTableAsync(new DescribeTableRequest { TableName = options.TasksTable })).Table;
                Assert.Equal("id", Assert.Single(table.KeySchema).AttributeName);
            }
            finally
            {
                await Coordinator.Testing.Provisioning.StackTeardown.DeleteAsync(dynamoDb, s3, options, CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task Delete_removes_a_bucket_that_still_holds_objects()
    {
        var provisioned = await stack.ProvisionAsync();
        await provisioned.S3.PutObjectAsync(new() { BucketName = provisioned.Options.Bucket, Key = "a/b.jsonl", ContentBody = "{}" });
        var bucket = provisioned.Options.Bucket;
        using var s3 = stack.MotoClients().CreateS3();

        await provisioned.DisposeAsync();

        var buckets = await s3.ListBucketsAsync();
        Assert.DoesNotContain(buckets.Buckets ?? [], b => b.BucketName == bucket);
    }

    [Fact]
    public async Task A_file_data_root_gets_its_directory_and_no_bucket()
    {
        var (options, dynamoDb, s3) = Clients(StackTarget.Moto);
        var root = Path.Combine(Path.GetTempPath(), "coordinator-root-" + Guid.NewGuid().ToString("N")[..8], "data");
        options.DataRoot = new Uri(root).AbsoluteUri;
        using (dynamoDb)
        using (s3)
        {
            try
            {
                var steps = await new StackProvisioner(dynamoDb, s3).EnsureAsync(options, CancellationToken.None);
                var again = await new StackProvisioner(dynamoDb, s3).EnsureAsync(options, CancellationToken.None);

                Assert.Equal(new ProvisioningStep("directory", root, ProvisioningAction.Created), steps[^1]);
                Assert.Equal(new ProvisioningStep("directory", root, ProvisioningAction.AlreadyExisted), again[^1]);
                Assert.True(Directory.Exists(root));
                Assert.DoesNotContain(steps, s => s.Kind == "bucket");
                Assert.DoesNotContain((await s3.ListBucketsAsync()).Buckets ?? [], b => b.BucketName == options.Bucket);
            }
            finally
            {
                await Coordinator.Testing.Provisioning.StackTeardown.DeleteAsync(dynamoDb, s3, options, CancellationToken.None);
                Directory.Delete(Path.GetDirectoryName(root)!, recursive: true);
            }
        }
    }

    private (CoordinatorOptions Options, IAmazonDynamoDB DynamoDb, Amazon.S3.IAmazonS3 S3) Clients(StackTarget target)
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var options = new CoordinatorOptions
        {
            EndpointUrl = target == StackTarget.Moto ? stack.EndpointUrl : stack.DynamoDbLocalUrl,
            JobsTable = $"prov-jobs-{suffix}", TasksTable = $"prov-tasks-{suffix}",
            LeasesTable = $"prov-leases-{suffix}", Bucket = $"prov-{suffix}",
        };
        return (options, new Coordinator.Aws.AwsClientFactory(options).CreateDynamoDb(), stack.MotoClients().CreateS3());
    }

    private static async Task CreateTableAsync(IAmazonDynamoDB dynamoDb, string name, string key, ScalarAttributeType type, StreamSpecification? stream)
    {
        await dynamoDb.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            KeySchema = [new KeySchemaElement(key, KeyType.HASH)],
            AttributeDefinitions = [new AttributeDefinition(key, type)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
            StreamSpecification = stream,
        });
    }
}
