using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Items;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Tasks;

namespace Coordinator.Aws.DynamoDb;

/// <summary>The tasks table: one item per batch, read by page and written conditionally on its version.</summary>
public sealed partial class DynamoStateStore
{
    /// <inheritdoc cref="TaskBatchWriter.PutAsync"/>
    public Task PutTasksAsync(IReadOnlyList<JobTask> tasks, CancellationToken ct) => _taskWriter.PutAsync(tasks, ct);

    public async Task<JobTask?> GetTaskAsync(string job, int index, CancellationToken ct)
    {
        var response = await _retry.ExecuteAsync(async token => await _client.GetItemAsync(new GetItemRequest
        {
            TableName = _options.TasksTable,
            Key = TaskBatchWriter.TaskKey(job, index),
            ConsistentRead = true,
        }, token).ConfigureAwait(false), ct).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? TaskItemCodec.Decode(item) : null;
    }

    /// <summary>One page of a job's tasks in index order (strongly consistent); pass NextToken back for the next.</summary>
    public async Task<TaskPage> QueryTasksAsync(string job, string? pageToken, int pageSize, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var response = await _retry.ExecuteAsync(async token => await _client.QueryAsync(new QueryRequest
        {
            TableName = _options.TasksTable,
            KeyConditionExpression = "#job = :job",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#job"] = StateAttributes.TaskJob },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":job"] = new() { S = job } },
            ExclusiveStartKey = TaskPageToken.ToExclusiveStartKey(job, pageToken),
            Limit = pageSize,
            ConsistentRead = true,
        }, token).ConfigureAwait(false), ct).ConfigureAwait(false);
        var tasks = (response.Items ?? []).Select(TaskItemCodec.DecodeOrUnreadable).ToList();
        return new TaskPage(tasks, TaskPageToken.FromLastEvaluatedKey(response.LastEvaluatedKey));
    }

    /// <summary>
    /// Replaces the task item, conditional on task.Version (or on its absence when 0). On success task.Version is
    /// the new version, so a caller can write the same task again.
    /// </summary>
    public async Task<long> UpdateTaskAsync(JobTask task, CancellationToken ct)
    {
        var put = ConditionalTaskPut(task);
        await ConditionalAsync(task.Job, _options.TasksTable,
            $"task {task.Index} of job \"{task.Job}\" changed since version {task.Version} was read",
            token => _client.PutItemAsync(new PutItemRequest
            {
                TableName = put.TableName,
                Item = put.Item,
                ConditionExpression = put.ConditionExpression,
                ExpressionAttributeNames = put.ExpressionAttributeNames,
                ExpressionAttributeValues = put.ExpressionAttributeValues,
            }, token), ct).ConfigureAwait(false);
        task.Version++;
        return task.Version;
    }

    /// <summary>The put of <paramref name="task"/> at version+1, conditional on the version and generation it was read at (or on absence).</summary>
    private Put ConditionalTaskPut(JobTask task)
    {
        var item = TaskItemCodec.Encode(task);
        item[StateAttributes.Version] = Number(task.Version + 1);
        if (task.Version == 0)
        {
            return new Put
            {
                TableName = _options.TasksTable,
                Item = item,
                ConditionExpression = "attribute_not_exists(#job)",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#job"] = StateAttributes.TaskJob },
            };
        }
        return new Put
        {
            TableName = _options.TasksTable,
            Item = item,
            // The generation too: a new generation's items start again at version 1, so an old generation's worker
            // can hold the very version the new item has reached; only both together name the item that was read.
            ConditionExpression = "#version = :readVersion AND #generation = :generation",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#version"] = StateAttributes.Version, ["#generation"] = StateAttributes.Generation },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":readVersion"] = Number(task.Version), [":generation"] = Number(task.Generation) },
        };
    }

    /// <inheritdoc cref="TaskBatchWriter.DeleteAllAsync"/>
    /// <summary>Deletes every task item of the job; a daemon only while its guard allows side effects.</summary>
    public Task DeleteTasksAsync(string job, CancellationToken ct)
    {
        if (Leadership.Term is not null)
        {
            EnsureMayAct($"delete the tasks of job \"{job}\"");
        }
        return _taskWriter.DeleteAllAsync(job, ct);
    }

    /// <inheritdoc cref="TaskBatchWriter.DeleteStaleAsync"/>
    public Task<int> DeleteStaleTasksAsync(string job, int fromIndex, long generation, CancellationToken ct)
    {
        if (Leadership.Term is not null)
        {
            EnsureMayAct($"delete the older generations' tasks of job \"{job}\"");
        }
        return _taskWriter.DeleteStaleAsync(job, fromIndex, generation, ct);
    }
}
