using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Items;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Model.Tasks;
using Polly;

namespace Coordinator.Aws.DynamoDb;

/// <summary>
/// Bulk writes of task items. BatchWriteItem takes at most 25 requests per call, so tasks are cut into chunks of 25
/// and several chunks are written in parallel (bounded, to stay kind to a shared table and a 2-core host).
/// DynamoDB may hand back UnprocessedItems under throttling; those are retried with exponential backoff and jitter
/// until written or the attempts run out, which throws rather than losing tasks silently.
/// </summary>
public sealed class TaskBatchWriter(IAmazonDynamoDB client, string table, DynamoDbOptions dynamoDb, CoordinatorMetrics metrics, ResiliencePipeline retry)
{
    public const int MaxWriteBatch = 25;
    public const int MaxGetBatch = 100;
    public const int Parallelism = 4;

    private readonly ResiliencePipeline<int> _batchRetry = DynamoResilience.CreateBatchPipeline(dynamoDb, metrics, "batch");

    /// <summary>
    /// Creates task items, idempotently: a task whose item already exists for the same or a newer generation is left
    /// alone (a rerun of the store step must not reset a task a worker has moved on), while an item of an older
    /// generation is replaced. BatchWriteItem can't carry conditions, so existing items are found first with
    /// BatchGetItem; only the leader writes new tasks, and workers touch a task only after it was dispatched, so
    /// nothing can create the same task between the two calls. Written tasks get version 1 (task.Version is set).
    /// </summary>
    public async Task PutAsync(IReadOnlyList<JobTask> tasks, CancellationToken ct)
    {
        if (tasks.Count == 0)
        {
            return;
        }
        CheckKeys(tasks);
        var existing = await ExistingGenerationsAsync(tasks, ct).ConfigureAwait(false);
        var toWrite = tasks
            .Where(t => !existing.TryGetValue((t.Job, t.Index), out var generation) || generation < t.Generation)
            .ToList();
        var chunks = toWrite.Chunk(MaxWriteBatch).ToList();
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
            async (chunk, token) =>
            {
                var requests = chunk.Select(task =>
                {
                    var item = TaskItemCodec.Encode(task);
                    item[StateAttributes.Version] = new AttributeValue { N = "1" };
                    return new WriteRequest { PutRequest = new PutRequest { Item = item } };
                }).ToList();
                await WriteAllAsync(requests, token).ConfigureAwait(false);
                foreach (var task in chunk)
                {
                    task.Version = 1;
                }
            }).ConfigureAwait(false);
    }

    /// <summary>Deletes every task item of <paramref name="job"/>, reading keys page by page (never all at once).</summary>
    public async Task DeleteAllAsync(string job, CancellationToken ct)
    {
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var page = await retry.ExecuteAsync(async token => await client.QueryAsync(new QueryRequest
            {
                TableName = table,
                KeyConditionExpression = "#job = :job",
                ProjectionExpression = "#job, #index",
                ExpressionAttributeNames = new Dictionary<string, string>
                {
                    ["#job"] = StateAttributes.TaskJob,
                    ["#index"] = StateAttributes.TaskIndex,
                },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":job"] = new() { S = job } },
                ExclusiveStartKey = startKey,
                Limit = 500,
            }, token).ConfigureAwait(false), ct).ConfigureAwait(false);
            var deletes = (page.Items ?? [])
                .Select(key => new WriteRequest { DeleteRequest = new DeleteRequest { Key = key } })
                .Chunk(MaxWriteBatch)
                .ToList();
            await Parallel.ForEachAsync(deletes, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
                async (chunk, token) => await WriteAllAsync([.. chunk], token).ConfigureAwait(false)).ConfigureAwait(false);
            startKey = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (startKey is not null);
    }

    /// <summary>
    /// Deletes the items of <paramref name="job"/> from <paramref name="fromIndex"/> up whose generation is older than
    /// <paramref name="generation"/>, each with a conditional DeleteItem (BatchWriteItem cannot carry the condition),
    /// a few at a time; an item whose condition fails was replaced meanwhile and is left alone.
    /// </summary>
    public async Task<int> DeleteStaleAsync(string job, int fromIndex, long generation, CancellationToken ct)
    {
        var names = new Dictionary<string, string>
        {
            ["#job"] = StateAttributes.TaskJob,
            ["#index"] = StateAttributes.TaskIndex,
            ["#generation"] = StateAttributes.Generation,
        };
        var deleted = 0;
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var page = await retry.ExecuteAsync(async token => await client.QueryAsync(new QueryRequest
            {
                TableName = table,
                KeyConditionExpression = "#job = :job AND #index >= :from",
                ProjectionExpression = "#job, #index, #generation",
                ExpressionAttributeNames = names,
                ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                {
                    [":job"] = new() { S = job },
                    [":from"] = new() { N = fromIndex.ToString(CultureInfo.InvariantCulture) },
                },
                ExclusiveStartKey = startKey,
                ConsistentRead = true,
                Limit = 500,
            }, token).ConfigureAwait(false), ct).ConfigureAwait(false);
            var stale = (page.Items ?? []).Where(item => GenerationOf(item) < generation).ToList();
            await Parallel.ForEachAsync(stale, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
                async (item, token) =>
                {
                    try
                    {
                        await retry.ExecuteAsync(async t => await client.DeleteItemAsync(new DeleteItemRequest
                        {
                            TableName = table,
                            Key = new Dictionary<string, AttributeValue>
                            {
                                [StateAttributes.TaskJob] = item[StateAttributes.TaskJob],
                                [StateAttributes.TaskIndex] = item[StateAttributes.TaskIndex],
                            },
                            ConditionExpression = "attribute_not_exists(#generation) OR #generation < :generation",
                            ExpressionAttributeNames = new Dictionary<string, string> { ["#generation"] = StateAttributes.Generation },
                            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                            {
                                [":generation"] = new() { N = generation.ToString(CultureInfo.InvariantCulture) },
                            },
                        }, t).ConfigureAwait(false), token).ConfigureAwait(false);
                        Interlocked.Increment(ref deleted);
                    }
                    catch (ConditionalCheckFailedException)
                    {
                    }
                }).ConfigureAwait(false);
            startKey = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (startKey is not null);
        return deleted;
    }

    private static long GenerationOf(Dictionary<string, AttributeValue> item) =>
        item.TryGetValue(StateAttributes.Generation, out var g) && g.N is { } n ? long.Parse(n, CultureInfo.InvariantCulture) : 0;

    public static Dictionary<string, AttributeValue> TaskKey(string job, int index) => new()
    {
        [StateAttributes.TaskJob] = new AttributeValue { S = job },
        [StateAttributes.TaskIndex] = new AttributeValue { N = index.ToString(CultureInfo.InvariantCulture) },
    };

    /// <summary>BatchWriteItem rejects a batch holding one key twice; name the offender instead.</summary>
    private static void CheckKeys(IReadOnlyList<JobTask> tasks)
    {
        var seen = new HashSet<(string, int)>();
        foreach (var task in tasks)
        {
            if (string.IsNullOrEmpty(task.Job))
            {
                throw new ArgumentException($"task {task.Index} has no job name", nameof(tasks));
            }
            if (task.Index < 0)
            {
                throw new ArgumentException($"task {task.Index} of job \"{task.Job}\" has a negative index", nameof(tasks));
            }
            if (!seen.Add((task.Job, task.Index)))
            {
                throw new ArgumentException($"task {task.Index} of job \"{task.Job}\" appears twice", nameof(tasks));
            }
        }
    }

    private async Task<Dictionary<(string Job, int Index), long>> ExistingGenerationsAsync(IReadOnlyList<JobTask> tasks, CancellationToken ct)
    {
        var found = new Dictionary<(string, int), long>();
        foreach (var chunk in tasks.Chunk(MaxGetBatch))
        {
            var pending = chunk.Select(t => TaskKey(t.Job, t.Index)).ToList();
            var outcome = await _batchRetry.ExecuteAsync(async token =>
            {
                var response = await client.BatchGetItemAsync(new BatchGetItemRequest
                {
                    RequestItems = new Dictionary<string, KeysAndAttributes>
                    {
                        [table] = new()
                        {
                            Keys = pending,
                            ConsistentRead = true,
                            ProjectionExpression = "#job, #index, #generation",
                            ExpressionAttributeNames = new Dictionary<string, string>
                            {
                                ["#job"] = StateAttributes.TaskJob,
                                ["#index"] = StateAttributes.TaskIndex,
                                ["#generation"] = StateAttributes.Generation,
                            },
                        },
                    },
                }, token).ConfigureAwait(false);
                foreach (var item in response.Responses?.GetValueOrDefault(table) ?? [])
                {
                    var index = int.Parse(item[StateAttributes.TaskIndex].N, CultureInfo.InvariantCulture);
                    var generation = item.TryGetValue(StateAttributes.Generation, out var g) && g.N is { } n
                        ? long.Parse(n, CultureInfo.InvariantCulture)
                        : 0;
                    found[(item[StateAttributes.TaskJob].S, index)] = generation;
                }
                pending = response.UnprocessedKeys?.GetValueOrDefault(table)?.Keys ?? [];
                return pending.Count;
            }, ct).ConfigureAwait(false);
            if (outcome > 0)
            {
                throw new InvalidOperationException($"DynamoDB left {outcome} task keys of table {table} unread after every retry");
            }
        }
        return found;
    }

    private async Task WriteAllAsync(List<WriteRequest> requests, CancellationToken ct)
    {
        var pending = requests;
        var left = await _batchRetry.ExecuteAsync(async token =>
        {
            var response = await client.BatchWriteItemAsync(new BatchWriteItemRequest
            {
                RequestItems = new Dictionary<string, List<WriteRequest>> { [table] = pending },
            }, token).ConfigureAwait(false);
            pending = response.UnprocessedItems?.GetValueOrDefault(table) ?? [];
            return pending.Count;
        }, ct).ConfigureAwait(false);
        if (left > 0)
        {
            throw new InvalidOperationException($"DynamoDB left {left} task writes to table {table} unprocessed after every retry");
        }
    }
}
