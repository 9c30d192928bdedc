using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Coordinator.Aws.DynamoDb;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Reconciler.LeaderElection;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// An in-process leader elector on the real lease store, its DynamoDB calls going through a fault proxy in front of
/// moto, with its log kept; and a lead function that counts terms and holds each until it is stopped or lost.
/// </summary>
internal sealed class LeaseHarness : IAsyncDisposable
{
    private readonly ChaosStack _stack;
    private readonly AmazonDynamoDBClient _client;
    private readonly CoordinatorMetrics _metrics = new();
    private readonly TaskCompletionSource _leading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _terms;

    private LeaseHarness(ChaosStack stack, FaultProxy proxy, string identity)
    {
        _stack = stack;
        Proxy = proxy;
        _client = new AmazonDynamoDBClient(new BasicAWSCredentials("test", "test"),
            new AmazonDynamoDBConfig { ServiceURL = proxy.Url, AuthenticationRegion = "us-east-1" });
        var options = new CoordinatorOptions { LeasesTable = stack.Settings["COORDINATOR__LEASESTABLE"]! };
        Elector = new LeaderElector(new DynamoLeaseStore(_client, options, _metrics), new LeaderElectionOptions { Identity = identity },
            _metrics, Logger);
    }

    public FaultProxy Proxy { get; }
    public LeaderElector Elector { get; }
    public ListLogger<LeaderElector> Logger { get; } = new();

    /// <summary>Terms this elector has led so far: 1 means it never lost the lease.</summary>
    public int Terms => Volatile.Read(ref _terms);

    /// <summary>Completes when the first term starts.</summary>
    public Task Leading => _leading.Task;

    /// <summary>The elector's log, one line per entry, for assertion messages.</summary>
    public string Log => string.Join('\n', Logger.Entries.Select(e => $"{e.At:HH:mm:ss.fff} {e.Level} {e.Message}"));

    public static async Task<LeaseHarness> StartAsync(string name, double faultRate, int seed, string identity)
    {
        var stack = new ChaosStack(name);
        await stack.InitAsync();
        return new LeaseHarness(stack, new FaultProxy(new Uri(stack.Endpoint), faultRate, seed), identity);
    }

    /// <summary>Campaigns and leads until <paramref name="stop"/>; a stop mid-renewal is not an error.</summary>
    public async Task RunAsync(Action? onTerm, CancellationToken stop)
    {
        try
        {
            await Elector.RunAsync(async (stopping, lost) =>
            {
                Interlocked.Increment(ref _terms);
                onTerm?.Invoke();
                _leading.TrySetResult();
                using var either = CancellationTokenSource.CreateLinkedTokenSource(stopping, lost);
                await Task.Delay(Timeout.Infinite, either.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping mid-renewal surfaces the cancellation: the run is over.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        _metrics.Dispose();
        await Proxy.DisposeAsync();
        await _stack.DisposeAsync();
    }
}
