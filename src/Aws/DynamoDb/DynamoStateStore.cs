using System.Globalization;
using System.Runtime.CompilerServices;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Items;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace Coordinator.Aws.DynamoDb;

/// <summary>
/// The DynamoDB adapter of <see cref="IStateStore"/>. Items are mapped only by the model's codecs
/// (<see cref="JobItemCodec"/>, <see cref="TaskItemCodec"/>); this class owns the calls and their conditions.
/// Every daemon write is conditional on the <c>version</c> that was read, so a write that races a user's
/// <c>put-item</c> or another daemon fails with <see cref="ConflictException"/> instead of overwriting. Status writes
/// are <c>UpdateItem</c>s that never touch <c>spec</c>, and spec writes never touch <c>status</c>. Transient faults
/// (throttling, 5xx, lost connections) are retried here, at the edge, so callers only see real outcomes.
/// </summary>
public sealed partial class DynamoStateStore : IStateStore
{
    private readonly IAmazonDynamoDB _client;
    private readonly CoordinatorOptions _options;
    private readonly CoordinatorMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;
    private readonly TaskBatchWriter _taskWriter;

    public DynamoStateStore(IAmazonDynamoDB client, CoordinatorOptions options, CoordinatorMetrics metrics,
        ILogger<DynamoStateStore>? logger = null, ILeadershipGuard? leadership = null)
    {
        Leadership = leadership ?? Unfenced.Instance;
        _client = client;
        _options = options;
        _metrics = metrics;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _retry = DynamoResilience.CreateCallPipeline(options.DynamoDb, metrics, "state");
        _taskWriter = new TaskBatchWriter(client, options.TasksTable, options.DynamoDb, metrics, _retry);
    }

    /// <summary>The writer's leadership: the daemon's lease term, or <see cref="Unfenced"/> for the CLI and the worker.</summary>
    public ILeadershipGuard Leadership { get; }

    private async Task ConditionalAsync<T>(string jobName, string table, string conflictMessage,
        Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        try
        {
            await _retry.ExecuteAsync(async token => await call(token).ConfigureAwait(false), ct).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            _metrics.ConflictOccurred(table);
            LogConflict(jobName, table);
            throw new ConflictException(conflictMessage);
        }
    }

    private async IAsyncEnumerable<Dictionary<string, AttributeValue>> ScanAsync(ScanRequest request,
        [EnumeratorCancellation] CancellationToken ct)
    {
        do
        {
            var response = await _retry.ExecuteAsync(async token => await _client.ScanAsync(request, token).ConfigureAwait(false), ct)
                .ConfigureAwait(false);
            foreach (var item in response.Items ?? [])
            {
                yield return item;
            }
            request.ExclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (request.ExclusiveStartKey is not null);
    }

    private static bool IsTemplate(Dictionary<string, AttributeValue> item) =>
        item.TryGetValue(StateAttributes.Kind, out var kind) && kind.S == StateAttributes.TemplateKind;

    private static Dictionary<string, AttributeValue> JobKey(string name) =>
        new() { [StateAttributes.Name] = new AttributeValue { S = name } };

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Conditional write to {Table} lost for job {JobName}: re-read and requeue")]
    private partial void LogConflict(string jobName, string table);
}
