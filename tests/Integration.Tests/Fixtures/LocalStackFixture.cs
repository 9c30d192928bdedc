using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Coordinator.Aws;
using Coordinator.Controllers.Configuration;
using Coordinator.Testing.Stack;

namespace Coordinator.Integration.Tests.Fixtures;

/// <summary>
/// The running local stack (moto on AWS_ENDPOINT_URL, optionally DynamoDB Local), shared by the "LocalStack"
/// collection. It reads <see cref="StackEnvironment"/>, and fails every test of the collection with the reason and
/// the fix when moto does not answer: an integration test never passes without the real server.
/// Use <see cref="ProvisionAsync"/> for uniquely named tables and bucket per test class.
/// </summary>
public sealed class LocalStackFixture : IAsyncLifetime
{
    public StackEnvironment Environment { get; } = StackEnvironment.Load();

    /// <summary>moto's URL (S3, DynamoDB, DynamoDB Streams).</summary>
    public string EndpointUrl => Environment["AWS_ENDPOINT_URL"]
        ?? throw new InvalidOperationException("AWS_ENDPOINT_URL is not set and no localstack/.state/env was found; run localstack/up");

    /// <summary>DynamoDB Local's URL when it answers, else null (it is optional).</summary>
    public string? DynamoDbLocalUrl { get; private set; }

    /// <summary>Why DynamoDB Local is unavailable, for Skip messages; null when it answers.</summary>
    public string? DynamoDbLocalUnavailableReason { get; private set; }

    public async Task InitializeAsync()
    {
        Environment.Apply();
        var endpoint = Environment["AWS_ENDPOINT_URL"];
        if (endpoint is null)
        {
            throw new InvalidOperationException(
                "The local stack is not configured: AWS_ENDPOINT_URL is unset and no localstack/.state/env was found " +
                "above the test directory. Run `localstack/up` (or ./test, which runs it).");
        }
        if (await ProbeAsync(endpoint) is { } motoProblem)
        {
            throw new InvalidOperationException(
                $"moto is not answering at {endpoint} ({motoProblem}). Run `localstack/up` and retry.");
        }
        if (Environment["COORDINATOR_DYNAMODB_LOCAL_URL"] is { } local)
        {
            DynamoDbLocalUnavailableReason = await ProbeAsync(local) is { } localProblem
                ? $"DynamoDB Local is not answering at {local} ({localProblem})"
                : null;
            DynamoDbLocalUrl = DynamoDbLocalUnavailableReason is null ? local : null;
        }
        else
        {
            DynamoDbLocalUnavailableReason =
                "DynamoDB Local is not running: COORDINATOR_DYNAMODB_LOCAL_URL is empty (localstack/up could not start it)";
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Options pointing every client at moto, with the default names (override them for isolation).</summary>
    public CoordinatorOptions MotoOptions() => new() { EndpointUrl = EndpointUrl, Region = "us-east-1" };

    /// <summary>An AWS client factory for moto, the one way the product builds its clients.</summary>
    public AwsClientFactory MotoClients() => new(MotoOptions());

    /// <summary>A DynamoDB client for DynamoDB Local; throws when it is not running (check DynamoDbLocalUrl first).</summary>
    public IAmazonDynamoDB CreateDynamoDbLocal() =>
        new AwsClientFactory(new CoordinatorOptions
        {
            EndpointUrl = DynamoDbLocalUrl ?? throw new InvalidOperationException(DynamoDbLocalUnavailableReason),
            Region = "us-east-1",
        }).CreateDynamoDb();

    /// <summary>Creates uniquely named tables and bucket (on moto, or with DynamoDB on DynamoDB Local); dispose to delete them.</summary>
    public Task<ProvisionedStack> ProvisionAsync(StackTarget target = StackTarget.Moto) =>
        ProvisionedStack.CreateAsync(this, target);

    private static async Task<string?> ProbeAsync(string endpoint)
    {
        try
        {
            using var client = new AwsClientFactory(new CoordinatorOptions { EndpointUrl = endpoint, Region = "us-east-1" }).CreateDynamoDb();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.ListTablesAsync(new ListTablesRequest { Limit = 1 }, timeout.Token);
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or AmazonClientException or AmazonServiceException or OperationCanceledException)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
