using System.Net;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Amazon.S3.Model;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Retry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace Coordinator.Aws.Provisioning;

/// <summary>
/// Creates the tables and bucket Coordinator needs, idempotently: what exists in the right shape is left alone, a table
/// without a stream gets one, and a table with the wrong keys is an error rather than a silent surprise later.
/// Only standard API calls are used, so it works the same against moto, DynamoDB Local and real AWS.
/// </summary>
public sealed class StackProvisioner(IAmazonDynamoDB dynamoDb, IAmazonS3 s3, ILogger<StackProvisioner>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<StackProvisioner>.Instance;

    /// <summary>How long to wait for a table to become ACTIVE. Real AWS usually takes seconds; emulators are instant.</summary>
    public TimeSpan ActiveTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Ensures the three tables and the bucket exist in the required shape; returns what was done to each.</summary>
    public async Task<IReadOnlyList<ProvisioningStep>> EnsureAsync(CoordinatorOptions options, CancellationToken ct)
    {
        var steps = new List<ProvisioningStep>();
        foreach (var table in StackLayout.Tables(options))
        {
            steps.Add(new ProvisioningStep("table", table.Name, await EnsureTableAsync(table, ct).ConfigureAwait(false)));
        }
        steps.Add(await EnsureDataRootAsync(options.DataRootUri, ct).ConfigureAwait(false));
        return steps;
    }

    private async Task<ProvisioningAction> EnsureTableAsync(TableDefinition table, CancellationToken ct)
    {
        var existing = await DescribeOrNullAsync(table.Name, ct).ConfigureAwait(false);
        if (existing is null)
        {
            var keys = table.DescribeKeys();
            StackProvisionerLog.CreatingTable(_logger, table.Name, keys);
            try
            {
                await dynamoDb.CreateTableAsync(CreateRequest(table), ct).ConfigureAwait(false);
            }
            catch (ResourceInUseException)
            {
                // Another `init` created it between our describe and create: converge on what exists.
                return await ReconcileExistingAsync(table, await WaitForActiveAsync(table.Name, ct).ConfigureAwait(false), ct)
                    .ConfigureAwait(false);
            }
            await WaitForActiveAsync(table.Name, ct).ConfigureAwait(false);
            return ProvisioningAction.Created;
        }
        if (existing.TableStatus != TableStatus.ACTIVE)
        {
            existing = await WaitForActiveAsync(table.Name, ct).ConfigureAwait(false);
        }
        return await ReconcileExistingAsync(table, existing, ct).ConfigureAwait(false);
    }

    private async Task<ProvisioningAction> ReconcileExistingAsync(TableDefinition table, TableDescription existing, CancellationToken ct)
    {
        var types = (existing.AttributeDefinitions ?? []).ToDictionary(a => a.AttributeName, a => a.AttributeType.Value);
        var keys = (existing.KeySchema ?? [])
            .Select(k => (k.AttributeName, types.GetValueOrDefault(k.AttributeName, "?"), k.KeyType.Value))
            .ToList();
        if (TableShape.KeySchemaMismatch(table, keys) is { } mismatch)
        {
            throw new ProvisioningException(mismatch);
        }
        var change = TableShape.StreamChangeFor(existing.StreamSpecification?.StreamEnabled, existing.StreamSpecification?.StreamViewType?.Value);
        switch (change)
        {
            case StreamChange.Enable:
                StackProvisionerLog.EnablingStream(_logger, table.Name);
                await SetStreamAsync(table.Name, enabled: true, ct).ConfigureAwait(false);
                return ProvisioningAction.StreamEnabled;
            case StreamChange.Replace:
                StackProvisionerLog.ReplacingStream(_logger, table.Name, existing.StreamSpecification?.StreamViewType?.Value);
                await SetStreamAsync(table.Name, enabled: false, ct).ConfigureAwait(false);
                await SetStreamAsync(table.Name, enabled: true, ct).ConfigureAwait(false);
                return ProvisioningAction.StreamReplaced;
            default:
                return ProvisioningAction.AlreadyExisted;
        }
    }

    private async Task SetStreamAsync(string table, bool enabled, CancellationToken ct)
    {
        var spec = enabled
            ? new StreamSpecification { StreamEnabled = true, StreamViewType = StackLayout.StreamViewType }
            : new StreamSpecification { StreamEnabled = false };
        await dynamoDb.UpdateTableAsync(new UpdateTableRequest { TableName = table, StreamSpecification = spec }, ct)
            .ConfigureAwait(false);
        await WaitForActiveAsync(table, ct).ConfigureAwait(false);
    }

    private static CreateTableRequest CreateRequest(TableDefinition table)
    {
        var keys = new List<KeySchemaElement> { new(table.PartitionKey.Name, KeyType.HASH) };
        var attributes = new List<AttributeDefinition> { new(table.PartitionKey.Name, table.PartitionKey.Type) };
        if (table.SortKey is not null)
        {
            keys.Add(new KeySchemaElement(table.SortKey.Name, KeyType.RANGE));
            attributes.Add(new AttributeDefinition(table.SortKey.Name, table.SortKey.Type));
        }
        return new CreateTableRequest
        {
            TableName = table.Name,
            KeySchema = keys,
            AttributeDefinitions = attributes,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = StackLayout.StreamViewType },
        };
    }

    private async Task<TableDescription?> DescribeOrNullAsync(string table, CancellationToken ct)
    {
        try
        {
            return (await dynamoDb.DescribeTableAsync(table, ct).ConfigureAwait(false)).Table;
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
    }

    /// <summary>First pause between two looks at a table that is not ACTIVE yet; it doubles up to <see cref="MaxActivePollDelay"/>.</summary>
    public static readonly TimeSpan ActivePollDelay = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan MaxActivePollDelay = TimeSpan.FromSeconds(2);

    /// <summary>Pause after the <paramref name="look"/>-th look (1-based) found the table not ACTIVE: 0.1 s, 0.2 s, … capped at 2 s.</summary>
    public static TimeSpan ActivePollBackoff(int look) => Backoff.Exponential(look - 1, ActivePollDelay, MaxActivePollDelay);

    private async Task<TableDescription> WaitForActiveAsync(string table, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + ActiveTimeout;
        var untilActive = new ResiliencePipelineBuilder<TableDescription?>()
            .AddRetry(new RetryStrategyOptions<TableDescription?>
            {
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is null && !IsActive(args.Outcome.Result) && DateTime.UtcNow < deadline),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(ActivePollBackoff(args.AttemptNumber + 1)),
                OnRetry = args =>
                {
                    var status = Status(args.Outcome.Result);
                    StackProvisionerLog.WaitingForTable(_logger, table, status);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        var description = await untilActive.ExecuteAsync(async token => await DescribeOrNullAsync(table, token).ConfigureAwait(false), ct).ConfigureAwait(false);
        return IsActive(description)
            ? description!
            : throw new ProvisioningException($"table {table} is still {Status(description)} after {ActiveTimeout.TotalSeconds:0} s; check it in the AWS console");
    }

    private static bool IsActive(TableDescription? description) => description is not null && description.TableStatus == TableStatus.ACTIVE;

    private static string Status(TableDescription? description) => description?.TableStatus?.Value ?? "missing";

    /// <summary>
    /// The data root decides what storage to prepare: s3://bucket[/prefix] needs the bucket (by default
    /// Coordinator:Bucket), file:///path on a shared filesystem needs the directory and no S3 at all.
    /// </summary>
    private async Task<ProvisioningStep> EnsureDataRootAsync(Uri root, CancellationToken ct)
    {
        switch (root.Scheme)
        {
            case "s3":
                return new ProvisioningStep("bucket", root.Host, await EnsureBucketAsync(root.Host, ct).ConfigureAwait(false));
            case "file":
                var existed = Directory.Exists(root.LocalPath);
                Directory.CreateDirectory(root.LocalPath);
                return new ProvisioningStep("directory", root.LocalPath, existed ? ProvisioningAction.AlreadyExisted : ProvisioningAction.Created);
            default:
                throw new ProvisioningException($"Coordinator:DataRoot must be s3://bucket/prefix or file:///path; got \"{root}\"");
        }
    }

    private async Task<ProvisioningAction> EnsureBucketAsync(string bucket, CancellationToken ct)
    {
        try
        {
            await s3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket }, ct).ConfigureAwait(false);
            return ProvisioningAction.AlreadyExisted;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.Forbidden)
        {
            throw new ProvisioningException(
                $"bucket {bucket} exists but these credentials may not use it (403); choose another name with Coordinator:Bucket", e);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // Fall through to create.
        }
        StackProvisionerLog.CreatingBucket(_logger, bucket);
        try
        {
            var region = s3.Config.RegionEndpoint?.SystemName ?? "us-east-1";
            var request = new PutBucketRequest { BucketName = bucket };
            if (region != "us-east-1")
            {
                // Outside us-east-1, S3 wants the region as the location constraint.
                request.BucketRegionName = region;
            }
            await s3.PutBucketAsync(request, ct).ConfigureAwait(false);
            return ProvisioningAction.Created;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "BucketAlreadyOwnedByYou")
        {
            return ProvisioningAction.AlreadyExisted;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "BucketAlreadyExists")
        {
            throw new ProvisioningException(
                $"bucket name {bucket} is taken by another AWS account; choose another name with Coordinator:Bucket", e);
        }
    }
}
