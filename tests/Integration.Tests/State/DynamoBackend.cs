using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Coordinator.Controllers.Configuration;

namespace Coordinator.Integration.Tests.State;

/// <summary>
/// One of the two real DynamoDB servers the state tests run against: moto (AWS_ENDPOINT_URL, default :4566) and
/// DynamoDB Local (COORDINATOR_DYNAMODB_LOCAL_URL, default :8000). Creates uniquely named jobs/tasks/leases tables
/// with NEW_AND_OLD_IMAGES streams, exactly as the design lays them out, and deletes them on dispose.
/// A backend that doesn't answer is reported through <see cref="UnavailableReason"/> so tests skip, never pass.
/// </summary>
public sealed class DynamoBackend : IAsyncDisposable
{
    public const string Moto = "moto";
    public const string DynamoDbLocal = "dynamodb-local";

    private DynamoBackend(string kind, string endpoint)
    {
        Kind = kind;
        Endpoint = endpoint;
        Client = new AmazonDynamoDBClient(new BasicAWSCredentials("test", "test"), new AmazonDynamoDBConfig
        {
            ServiceURL = endpoint,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 2,
        });
        var suffix = Guid.NewGuid().ToString("N")[..12];
        Options = new CoordinatorOptions
        {
            EndpointUrl = endpoint,
            Region = "us-east-1",
            JobsTable = $"it-jobs-{suffix}",
            TasksTable = $"it-tasks-{suffix}",
            LeasesTable = $"it-leases-{suffix}",
        };
    }

    public string Kind { get; }
    public string Endpoint { get; }
    public IAmazonDynamoDB Client { get; }
    public CoordinatorOptions Options { get; }
    public string? UnavailableReason { get; private set; }

    public static TheoryData<string> All => new() { Moto, DynamoDbLocal };

    public static string EndpointOf(string kind) => kind switch
    {
        Moto => Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL") is { Length: > 0 } moto ? moto : "http://127.0.0.1:4566",
        DynamoDbLocal => Environment.GetEnvironmentVariable("COORDINATOR_DYNAMODB_LOCAL_URL") is { Length: > 0 } local
            ? local : "http://127.0.0.1:8000",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown backend"),
    };

    /// <summary>Creates the three tables; when the server doesn't answer, returns with UnavailableReason set.</summary>
    public static async Task<DynamoBackend> StartAsync(string kind)
    {
        var backend = new DynamoBackend(kind, EndpointOf(kind));
        try
        {
            using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await backend.Client.ListTablesAsync(new ListTablesRequest { Limit = 1 }, probe.Token);
        }
        catch (Exception e) when (e is HttpRequestException or AmazonClientException or OperationCanceledException or AmazonServiceException)
        {
            backend.UnavailableReason = $"{kind} is not reachable at {backend.Endpoint}: {e.GetType().Name}: {e.Message}";
            return backend;
        }
        await Task.WhenAll(
            backend.CreateTableAsync(backend.Options.JobsTable, ("name", ScalarAttributeType.S, KeyType.HASH)),
            backend.CreateTableAsync(backend.Options.TasksTable, ("job", ScalarAttributeType.S, KeyType.HASH), ("index", ScalarAttributeType.N, KeyType.RANGE)),
            backend.CreateTableAsync(backend.Options.LeasesTable, ("name", ScalarAttributeType.S, KeyType.HASH)));
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        if (UnavailableReason is null)
        {
            foreach (var table in new[] { Options.JobsTable, Options.TasksTable, Options.LeasesTable })
            {
                try
                {
                    await Client.DeleteTableAsync(table);
                }
                catch (ResourceNotFoundException)
                {
                }
            }
        }
        Client.Dispose();
    }

    private async Task CreateTableAsync(string name, params (string Name, ScalarAttributeType Type, KeyType Key)[] keys)
    {
        await Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            AttributeDefinitions = keys.Select(k => new AttributeDefinition(k.Name, k.Type)).ToList(),
            KeySchema = keys.Select(k => new KeySchemaElement(k.Name, k.Key)).ToList(),
            BillingMode = BillingMode.PAY_PER_REQUEST,
            StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType.NEW_AND_OLD_IMAGES },
        });
        for (var i = 0; i < 100; i++)
        {
            var described = await Client.DescribeTableAsync(name);
            if (described.Table.TableStatus == TableStatus.ACTIVE)
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"table {name} on {Kind} did not become ACTIVE within 10 s");
    }
}
