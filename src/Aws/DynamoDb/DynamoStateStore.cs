using System.Globalization;
using System.Runtime.CompilerServices;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Items;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Errors;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;
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
    private static readonly HashSet<string> TerminalPhases =
        [nameof(JobPhase.Succeeded), nameof(JobPhase.Failed), nameof(JobPhase.Cancelled)];

    private readonly IAmazonDynamoDB _client;
    private readonly CoordinatorOptions _options;
    private readonly CoordinatorMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;
    private readonly TaskBatchWriter _taskWriter;

    public DynamoStateStore(IAmazonDynamoDB client, CoordinatorOptions options, CoordinatorMetrics metrics,
        ILogger<DynamoStateStore>? logger = null)
    {
        _client = client;
        _options = options;
        _metrics = metrics;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _retry = DynamoResilience.CreateCallPipeline(options.DynamoDb, metrics, "state");
        _taskWriter = new TaskBatchWriter(client, options.TasksTable, options.DynamoDb, metrics, _retry);
    }

    /// <summary>Reads a job with a strongly consistent read; null when absent or when the item is a JobTemplate.</summary>
    public async Task<Job?> GetJobAsync(string name, CancellationToken ct)
    {
        var response = await _retry.ExecuteAsync(async token => await _client.GetItemAsync(new GetItemRequest
        {
            TableName = _options.JobsTable,
            Key = JobKey(name),
            ConsistentRead = true,
        }, token).ConfigureAwait(false), ct).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item && !IsTemplate(item) ? await ResolveAsync(item, ct).ConfigureAwait(false) : null;
    }

    /// <summary>
    /// Decodes a job item and merges in the JobTemplate chain its spec names, so a job written with a plain
    /// put-item that names spec.template is validated and run as the merged spec (as `coordinator submit` does).
    /// A template that is missing or malformed becomes a decode error (the job turns Invalid), never an exception.
    /// </summary>
    private async Task<Job> ResolveAsync(Dictionary<string, AttributeValue> item, CancellationToken ct)
    {
        using var templates = new DynamoTemplateSource(() => _client, _options.JobsTable, ownsClient: false);
        try
        {
            return await JobResolver.DecodeAsync(item, templates, ct).ConfigureAwait(false);
        }
        catch (SpecException e)
        {
            var job = JobItemCodec.Decode(item);
            job.DecodeErrors = [.. job.DecodeErrors, e.Message];
            return job;
        }
    }

    /// <summary>
    /// Names of jobs not in a terminal phase (Succeeded, Failed, Cancelled): the "list" half of list-then-watch.
    /// Only the name, kind and phase are projected, so a resync costs little even with large specs. Invalid jobs are
    /// listed too: their spec may have been fixed while no daemon was watching.
    /// </summary>
    public async IAsyncEnumerable<string> ListActiveJobNamesAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var request = new ScanRequest
        {
            TableName = _options.JobsTable,
            ProjectionExpression = "#name, #kind, #status.#phase",
            ExpressionAttributeNames = new Dictionary<string, string>
            {
                ["#name"] = StateAttributes.Name,
                ["#kind"] = StateAttributes.Kind,
                ["#status"] = StateAttributes.Status,
                ["#phase"] = StateAttributes.Phase,
            },
        };
        await foreach (var item in ScanAsync(request, ct).ConfigureAwait(false))
        {
            if (IsTemplate(item) || !item.TryGetValue(StateAttributes.Name, out var name) || name.S is not { Length: > 0 } jobName)
            {
                continue;
            }
            var phase = item.TryGetValue(StateAttributes.Status, out var status)
                && status.M is { } statusMap
                && statusMap.TryGetValue(StateAttributes.Phase, out var phaseValue)
                    ? phaseValue.S
                    : null;
            if (phase is null || !TerminalPhases.Contains(phase))
            {
                yield return jobName;
            }
        }
    }

    /// <summary>Every job (not templates), decoded; undecodable items come back with DecodeErrors set.</summary>
    public async IAsyncEnumerable<Job> ListJobsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var item in ScanAsync(new ScanRequest { TableName = _options.JobsTable }, ct).ConfigureAwait(false))
        {
            if (!IsTemplate(item))
            {
                yield return JobItemCodec.Decode(item);
            }
        }
    }

    /// <summary>
    /// Creates the job (conditional on its absence), or with <paramref name="replace"/> sets its spec and labels with an
    /// UpdateItem that leaves status, version and generation alone; the reconciler notices the new spec by its hash.
    /// A replace removes labels the new job does not have (no labels means none, not "keep the old ones").
    /// </summary>
    public async Task PutJobSpecAsync(Job job, bool replace, CancellationToken ct)
    {
        var item = JobItemCodec.EncodeNew(job);
        if (!replace)
        {
            await ConditionalAsync(job.Name, _options.JobsTable, $"job \"{job.Name}\" already exists (use replace to change its spec)",
                token => _client.PutItemAsync(new PutItemRequest
                {
                    TableName = _options.JobsTable,
                    Item = item,
                    ConditionExpression = "attribute_not_exists(#name)",
                    ExpressionAttributeNames = new Dictionary<string, string> { ["#name"] = StateAttributes.Name },
                }, token), ct).ConfigureAwait(false);
            return;
        }

        var names = new Dictionary<string, string>();
        var values = new Dictionary<string, AttributeValue>();
        var sets = new List<string>();
        var position = 0;
        foreach (var (attribute, value) in item)
        {
            if (attribute == StateAttributes.Name)
            {
                continue;
            }
            names[$"#a{position}"] = attribute;
            values[$":v{position}"] = value;
            sets.Add($"#a{position} = :v{position}");
            position++;
        }
        var expression = "SET " + string.Join(", ", sets);
        // The user's attributes are replaced as a whole: an attribute the new job no longer has must go, or a job
        // replaced without labels would keep its old ones, and a spec given as a map would leave an old specYaml beside it.
        var removes = new List<string>();
        foreach (var userAttribute in new[] { StateAttributes.SpecYaml, StateAttributes.Labels })
        {
            if (!item.ContainsKey(userAttribute))
            {
                names[$"#rm{removes.Count}"] = userAttribute;
                removes.Add($"#rm{removes.Count}");
            }
        }
        if (removes.Count > 0)
        {
            expression += " REMOVE " + string.Join(", ", removes);
        }
        await _retry.ExecuteAsync(async token => await _client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = _options.JobsTable,
            Key = JobKey(job.Name),
            UpdateExpression = expression,
            ExpressionAttributeNames = names,
            ExpressionAttributeValues = values,
        }, token).ConfigureAwait(false), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes status, generation and specHash, conditional on the version read (or on there being none when
    /// job.Version is 0, as after a user's put-item) and on the item still existing. Never touches spec.
    /// Returns the new version; job.Version itself is left for the caller (JobContext) to update.
    /// </summary>
    public async Task<long> UpdateJobStatusAsync(Job job, CancellationToken ct)
    {
        var newVersion = job.Version + 1;
        var values = new Dictionary<string, AttributeValue>
        {
            [":status"] = JobItemCodec.EncodeStatus(job.Status),
            [":generation"] = Number(job.Generation),
            [":specHash"] = new() { S = job.SpecHash },
            [":newVersion"] = Number(newVersion),
        };
        string condition;
        if (job.Version == 0)
        {
            condition = "attribute_exists(#name) AND attribute_not_exists(#version)";
        }
        else
        {
            condition = "attribute_exists(#name) AND #version = :readVersion";
            values[":readVersion"] = Number(job.Version);
        }
        await ConditionalAsync(job.Name, _options.JobsTable,
            $"job \"{job.Name}\" changed since version {job.Version} was read (or was deleted)",
            token => _client.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = _options.JobsTable,
                Key = JobKey(job.Name),
                UpdateExpression = "SET #status = :status, #generation = :generation, #specHash = :specHash, #version = :newVersion",
                ConditionExpression = condition,
                ExpressionAttributeNames = new Dictionary<string, string>
                {
                    ["#name"] = StateAttributes.Name,
                    ["#status"] = StateAttributes.Status,
                    ["#generation"] = StateAttributes.Generation,
                    ["#specHash"] = StateAttributes.SpecHash,
                    ["#version"] = StateAttributes.Version,
                },
                ExpressionAttributeValues = values,
            }, token), ct).ConfigureAwait(false);
        return newVersion;
    }

    /// <summary>
    /// Stamps <c>reconcileRequestedAt</c> (a user-side attribute outside spec and status) on an existing job. Its only
    /// purpose is the stream record it causes: the change feed drops records in which only the daemon's own
    /// attributes differ, so a CLI write to status alone (cancel) would not wake the daemon; this one always does.
    /// It is not part of the spec, so it neither starts a generation nor shows in the spec hash.
    /// </summary>
    public async Task RequestReconcileAsync(string name, DateTimeOffset at, CancellationToken ct) =>
        await ConditionalAsync(name, _options.JobsTable, $"job \"{name}\" was deleted",
            token => _client.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = _options.JobsTable,
                Key = JobKey(name),
                UpdateExpression = "SET #requested = :at",
                ConditionExpression = "attribute_exists(#name)",
                ExpressionAttributeNames = new Dictionary<string, string>
                {
                    ["#requested"] = StateAttributes.ReconcileRequestedAt,
                    ["#name"] = StateAttributes.Name,
                },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                {
                    [":at"] = new() { S = at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) },
                },
            }, token), ct).ConfigureAwait(false);

    public async Task DeleteJobAsync(string name, CancellationToken ct) =>
        await _retry.ExecuteAsync(async token => await _client.DeleteItemAsync(new DeleteItemRequest
        {
            TableName = _options.JobsTable,
            Key = JobKey(name),
        }, token).ConfigureAwait(false), ct).ConfigureAwait(false);

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
        var tasks = (response.Items ?? []).Select(TaskItemCodec.Decode).ToList();
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

    /// <summary>The put of <paramref name="task"/> at version+1, conditional on the version it was read at (or on absence).</summary>
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
            ConditionExpression = "#version = :readVersion",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#version"] = StateAttributes.Version },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":readVersion"] = Number(task.Version) },
        };
    }

    /// <inheritdoc cref="TaskBatchWriter.DeleteAllAsync"/>
    public Task DeleteTasksAsync(string job, CancellationToken ct) => _taskWriter.DeleteAllAsync(job, ct);

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
