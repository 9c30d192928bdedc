using Amazon.DynamoDBv2.Model;
using Coordinator.Aws;
using Coordinator.Aws.Provisioning;
using Coordinator.Controllers.Configuration;
using Coordinator.Integration.Tests.Fixtures;

namespace Coordinator.Integration.Tests.Stack;

/// <summary>
/// The same provisioning against LocalStack in Docker (Testcontainers.LocalStack). Reported as skipped, with the
/// reason, where no Docker engine answers.
/// </summary>
public sealed class LocalStackContainerTests(LocalStackContainerFixture container) : IClassFixture<LocalStackContainerFixture>
{
    [SkippableFact]
    public async Task Provisioner_creates_streamed_tables_and_bucket_on_localstack_in_docker()
    {
        Skip.If(container.UnavailableReason is not null, container.UnavailableReason);
        var options = new CoordinatorOptions { EndpointUrl = container.ServiceUrl, Region = "us-east-1" };
        var factory = new AwsClientFactory(options);
        using var dynamoDb = factory.CreateDynamoDb();
        using var s3 = factory.CreateS3();
        var provisioner = new StackProvisioner(dynamoDb, s3);

        var first = await provisioner.EnsureAsync(options, CancellationToken.None);
        var second = await provisioner.EnsureAsync(options, CancellationToken.None);

        Assert.All(first, step => Assert.Equal(ProvisioningAction.Created, step.Action));
        Assert.All(second, step => Assert.Equal(ProvisioningAction.AlreadyExisted, step.Action));
        var jobs = (await dynamoDb.DescribeTableAsync(new DescribeTableRequest { TableName = options.JobsTable })).Table;
        Assert.Equal("NEW_AND_OLD_IMAGES", jobs.StreamSpecification.StreamViewType.Value);
    }
}
