using Amazon.DynamoDBv2;
using Amazon.S3;
using Coordinator.Aws;
using Coordinator.Aws.Provisioning;
using Coordinator.Controllers.Configuration;

namespace Coordinator.Integration.Tests.Fixtures;

/// <summary>
/// Uniquely named jobs/tasks/leases tables and bucket, made with the product's own <see cref="StackProvisioner"/>
/// (so every integration test also exercises `coordinator init`'s code) and deleted on dispose.
/// Typical use: create it in a test class's IAsyncLifetime.InitializeAsync, dispose it in DisposeAsync.
/// </summary>
public sealed class ProvisionedStack : IAsyncDisposable
{
    private ProvisionedStack(CoordinatorOptions options, IAmazonDynamoDB dynamoDb, IAmazonS3 s3, StackTarget target)
    {
        Options = options;
        DynamoDb = dynamoDb;
        S3 = s3;
        Target = target;
    }

    /// <summary>Options naming this stack's tables and bucket. EndpointUrl is the DynamoDB endpoint of <see cref="Target"/>.</summary>
    public CoordinatorOptions Options { get; }
    public IAmazonDynamoDB DynamoDb { get; }
    /// <summary>moto's S3 (DynamoDB Local has no S3), where this stack's bucket lives.</summary>
    public IAmazonS3 S3 { get; }
    public StackTarget Target { get; }

    /// <summary>The endpoint of this stack's DynamoDB.</summary>
    public string DynamoDbEndpoint => Options.EndpointUrl!;

    internal static async Task<ProvisionedStack> CreateAsync(LocalStackFixture fixture, StackTarget target)
    {
        var dynamoEndpoint = target switch
        {
            StackTarget.Moto => fixture.EndpointUrl,
            StackTarget.DynamoDbLocal => fixture.DynamoDbLocalUrl
                ?? throw new InvalidOperationException(fixture.DynamoDbLocalUnavailableReason),
            _ => throw new ArgumentOutOfRangeException(nameof(target), target, null),
        };
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var options = new CoordinatorOptions
        {
            EndpointUrl = dynamoEndpoint,
            Region = "us-east-1",
            JobsTable = $"it-jobs-{suffix}",
            TasksTable = $"it-tasks-{suffix}",
            LeasesTable = $"it-leases-{suffix}",
            Bucket = $"it-{suffix}",
        };
        // Workers started on Slurm get only what the daemon passes them; the stack's dummy credentials among it.
        foreach (var (name, value) in fixture.Environment.WorkerEnvironment)
        {
            options.Slurm.WorkerEnvironment[name] = value;
        }
        var dynamoDb = new AwsClientFactory(options).CreateDynamoDb();
        var s3 = fixture.MotoClients().CreateS3();
        var stack = new ProvisionedStack(options, dynamoDb, s3, target);
        try
        {
            await new StackProvisioner(dynamoDb, s3).EnsureAsync(options, CancellationToken.None);
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
        return stack;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Coordinator.Testing.Provisioning.StackTeardown.DeleteAsync(DynamoDb, S3, Options, CancellationToken.None);
        }
        finally
        {
            DynamoDb.Dispose();
            S3.Dispose();
        }
    }
}
