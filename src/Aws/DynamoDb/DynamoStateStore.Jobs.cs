using System.Globalization;
using System.Runtime.CompilerServices;
using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Items;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Errors;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;

namespace Coordinator.Aws.DynamoDb;

/// <summary>The jobs table: reads, the active-job listing, spec and status writes, deletes.</summary>
public sealed partial class DynamoStateStore
{
    private static readonly HashSet<string> TerminalPhases =
        [nameof(JobPhase.Succeeded), nameof(JobPhase.Failed), nameof(JobPhase.Cancelled)];

    /// <summary>Reads a job with a strongly consistent read; null when absent or when the item is a JobTemplate.</summary>
    public async Task<Job?> GetJobAsync(string name, CancellationToken ct)
    {
        var response = await _retry.ExecuteAsync(async token => await _client.GetItemAsync(new GetItemRequest
        {
            TableName = _options.JobsTable,
            Key = JobKey(name),
            ConsistentRead = true,
        }, token).ConfigureAwait(false), ct).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item && !IsTemplate(item)
            ? Remember(item, await ResolveAsync(item, ct).ConfigureAwait(false), userAttributes: true)
            : null;
    }

    /// <summary>
    /// What this store read of a job, kept beside the decoded <see cref="Job"/> for the conditional writes that must
    /// name it. <c>Version</c>: a version attribute that is not a number (a user's put-item wrote
    /// <c>"version": {"S": "3"}</c>): the job decodes with an error on <c>version</c> and turns Invalid, and
    /// <see cref="UpdateJobStatusAsync"/> writes that status conditional on the attribute as it was read (its value, or
    /// for a map, list or set its type), leaving it as it is; without this the write's condition (no version, or
    /// version = N) could never hold. <c>Spec</c>, <c>SpecYaml</c>, <c>Labels</c> (GetJobAsync only): the user's
    /// attributes, for the CLI's spec writes (DynamoStateStore.SpecEdits.cs).
    /// </summary>
    private sealed record ReadAttributes(AttributeValue? Version, AttributeValue? Spec, AttributeValue? SpecYaml, AttributeValue? Labels, bool HasUserAttributes);

    private readonly ConditionalWeakTable<Job, ReadAttributes> _read = new();

    /// <summary>Remembers a malformed version always, and the user's attributes when <paramref name="userAttributes"/>.</summary>
    private Job Remember(Dictionary<string, AttributeValue> item, Job job, bool userAttributes = false)
    {
        var version = item.TryGetValue(StateAttributes.Version, out var v) && v.N is null ? v : null;
        if (version is not null || userAttributes)
        {
            _read.AddOrUpdate(job, userAttributes
                ? new ReadAttributes(version, item.GetValueOrDefault(StateAttributes.Spec), item.GetValueOrDefault(StateAttributes.SpecYaml), item.GetValueOrDefault(StateAttributes.Labels), true)
                : new ReadAttributes(version, null, null, null, false));
        }
        return job;
    }

    /// <summary>The condition on a malformed version as read: equal to it where DynamoDB compares the type, else of its type.</summary>
    private static string MalformedVersionCondition(AttributeValue version, Dictionary<string, AttributeValue> values)
    {
        if (version.S is not null || version.B is not null)
        {
            values[":readVersion"] = version;
            return "#version = :readVersion";
        }
        values[":readVersionType"] = new() { S = AttributeReader.TypeCode(version) };
        return "attribute_type(#version, :readVersionType)";
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

    /// <summary>
    /// Names of jobs due for deletion under ttlAfterFinished: a Scan, paged (at most <see cref="ExpirySweepPageSize"/>
    /// items evaluated a call), filtered on <c>status.expiresAt &lt;= now</c> (ISO-8601 UTC strings sort as times) with
    /// only the name and kind projected. Templates never carry a status, so they never match.
    /// </summary>
    public async IAsyncEnumerable<string> ListExpiredJobNamesAsync(DateTimeOffset now, [EnumeratorCancellation] CancellationToken ct)
    {
        var request = new ScanRequest
        {
            TableName = _options.JobsTable,
            ProjectionExpression = "#name, #kind",
            FilterExpression = "#status.#expiresAt <= :now",
            ExpressionAttributeNames = new Dictionary<string, string>
            {
                ["#name"] = StateAttributes.Name,
                ["#kind"] = StateAttributes.Kind,
                ["#status"] = StateAttributes.Status,
                ["#expiresAt"] = StateAttributes.ExpiresAt,
            },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":now"] = new() { S = ItemTime.Format(now) } },
            Limit = ExpirySweepPageSize,
        };
        await foreach (var item in ScanAsync(request, ct).ConfigureAwait(false))
        {
            if (!IsTemplate(item) && item.TryGetValue(StateAttributes.Name, out var name) && name.S is { Length: > 0 } jobName)
            {
                yield return jobName;
            }
        }
    }

    /// <summary>Items one Scan call of the expiry sweep evaluates (the filter applies after the limit).</summary>
    public const int ExpirySweepPageSize = 500;

    /// <summary>
    /// Every finished job (status.phase Succeeded, Failed or Cancelled; templates excluded), decoded with its templates
    /// merged as <see cref="GetJobAsync"/> does, so the relist's spec-hash comparison sees what a pass would: a Scan
    /// filtered on the phase, paged (<see cref="FinishedJobsPageSize"/> items evaluated a call).
    /// </summary>
    public async IAsyncEnumerable<Job> ListFinishedJobsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var request = new ScanRequest
        {
            TableName = _options.JobsTable,
            FilterExpression = $"#status.#phase IN ({string.Join(", ", TerminalPhases.Select(p => ":" + p))})",
            ExpressionAttributeNames = new Dictionary<string, string>
            {
                ["#status"] = StateAttributes.Status,
                ["#phase"] = StateAttributes.Phase,
            },
            ExpressionAttributeValues = TerminalPhases.ToDictionary(p => ":" + p, p => new AttributeValue { S = p }),
            Limit = FinishedJobsPageSize,
        };
        await foreach (var item in ScanAsync(request, ct).ConfigureAwait(false))
        {
            if (!IsTemplate(item))
            {
                yield return Remember(item, await ResolveAsync(item, ct).ConfigureAwait(false));
            }
        }
    }

    /// <summary>Items one Scan call of the finished-job relist evaluates.</summary>
    public const int FinishedJobsPageSize = 200;

    /// <summary>Every job (not templates), decoded; undecodable items come back with DecodeErrors set.</summary>
    public async IAsyncEnumerable<Job> ListJobsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var item in ScanAsync(new ScanRequest { TableName = _options.JobsTable }, ct).ConfigureAwait(false))
        {
            if (!IsTemplate(item))
            {
                yield return Remember(item, JobItemCodec.Decode(item));
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
    /// A daemon's write (<see cref="Leadership"/> has a term) is also conditional on the item's <c>leaderTerm</c> not
    /// being newer than its own, and stamps its term: a deposed leader that re-read the item (so its version matches)
    /// still cannot overwrite what the new leader wrote. A CLI write carries no term and leaves <c>leaderTerm</c> alone.
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
        var readVersion = _read.TryGetValue(job, out var read) ? read.Version : null;
        var malformed = readVersion is not null;
        // A NULL version reads as none (the job decodes, version 0): the write takes it over as a number. Any other
        // type is the job's Invalid reason and is left as the user wrote it.
        var keepsMalformed = malformed && readVersion!.NULL != true;
        if (keepsMalformed)
        {
            values.Remove(":newVersion");
            newVersion = job.Version;
        }
        if (malformed)
        {
            condition = "attribute_exists(#name) AND " + MalformedVersionCondition(readVersion!, values);
        }
        else if (job.Version == 0)
        {
            condition = "attribute_exists(#name) AND attribute_not_exists(#version)";
        }
        else
        {
            condition = "attribute_exists(#name) AND #version = :readVersion";
            values[":readVersion"] = Number(job.Version);
        }
        var names = new Dictionary<string, string>
        {
            ["#name"] = StateAttributes.Name,
            ["#status"] = StateAttributes.Status,
            ["#generation"] = StateAttributes.Generation,
            ["#specHash"] = StateAttributes.SpecHash,
            ["#version"] = StateAttributes.Version,
        };
        var update = "SET #status = :status, #generation = :generation, #specHash = :specHash" + (keepsMalformed ? "" : ", #version = :newVersion");
        if (Leadership.Term is { } term)
        {
            condition += " AND (attribute_not_exists(#leaderTerm) OR #leaderTerm <= :term)";
            update += ", #leaderTerm = :term";
            names["#leaderTerm"] = StateAttributes.LeaderTerm;
            values[":term"] = Number(term);
        }
        await ConditionalAsync(job.Name, _options.JobsTable,
            Leadership.Term is { } writer
                ? $"job \"{job.Name}\" changed since version {job.Version} was read, was deleted, or was written by a leader of a term newer than {writer}"
                : $"job \"{job.Name}\" changed since version {job.Version} was read (or was deleted)",
            token => _client.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = _options.JobsTable,
                Key = JobKey(job.Name),
                UpdateExpression = update,
                ConditionExpression = condition,
                ExpressionAttributeNames = names,
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

    /// <summary>
    /// Deletes the job item. A daemon deletes only while its guard allows side effects, and only an item no newer
    /// term has written (a conflict otherwise); the CLI's delete is unconditional, as before.
    /// </summary>
    public async Task DeleteJobAsync(string name, CancellationToken ct)
    {
        var request = new DeleteItemRequest { TableName = _options.JobsTable, Key = JobKey(name) };
        if (Leadership.Term is { } term)
        {
            EnsureMayAct($"delete job \"{name}\"");
            request.ConditionExpression = "attribute_not_exists(#leaderTerm) OR #leaderTerm <= :term";
            request.ExpressionAttributeNames = new Dictionary<string, string> { ["#leaderTerm"] = StateAttributes.LeaderTerm };
            request.ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":term"] = Number(term) };
        }
        await ConditionalAsync(name, _options.JobsTable, $"job \"{name}\" was written by a leader of a newer term",
            token => _client.DeleteItemAsync(request, token), ct).ConfigureAwait(false);
    }

    /// <summary>Throws <see cref="LeadershipLostException"/> when this daemon's guard refuses side effects.</summary>
    private void EnsureMayAct(string what)
    {
        if (!Leadership.MayActNow())
        {
            throw new LeadershipLostException($"refused to {what}: this daemon does not hold the lease with enough of it left (term {Leadership.Term})");
        }
    }
}
