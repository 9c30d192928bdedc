using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Polly;
using Polly.Retry;

namespace Coordinator.Aws.DynamoDb;

/// <summary>
/// The Polly pipelines used at the DynamoDB edge. Calls are retried with exponential backoff and jitter on the
/// faults <see cref="DynamoTransientFaults"/> calls transient; everything else surfaces at once so that conflicts
/// and bad requests reach the reconciler unchanged. The SDK's own retries run inside each attempt; these add a
/// longer, jittered horizon so a DynamoDB outage of a few seconds does not fail a reconcile.
/// </summary>
public static class DynamoResilience
{
    /// <summary>
    /// A conditional PutItem through <paramref name="retry"/>: true when written, false (counted as a conflict on the
    /// request's table) when its condition failed, because someone else moved the item first.
    /// </summary>
    public static async Task<bool> TryConditionalPutAsync(
        IAmazonDynamoDB client, ResiliencePipeline retry, CoordinatorMetrics metrics, PutItemRequest request, CancellationToken ct)
    {
        try
        {
            await retry.ExecuteAsync(async token => await client.PutItemAsync(request, token).ConfigureAwait(false), ct).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            metrics.ConflictOccurred(request.TableName);
            return false;
        }
    }

    /// <summary>
    /// Retries transient faults of one call, as often and as patiently as <paramref name="options"/> (section
    /// Coordinator:DynamoDb) says; <paramref name="metrics"/> counts each retry by operation.
    /// </summary>
    public static ResiliencePipeline CreateCallPipeline(DynamoDbOptions options, CoordinatorMetrics metrics, string operation) =>
        new ResiliencePipelineBuilder()
            .AddRetry(WithBackoff<RetryStrategyOptions, object>(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(DynamoTransientFaults.IsTransient),
            }, metrics, operation, options.MaxRetryAttempts, options))
            .Build();

    /// <summary>
    /// Retries a batch call while it reports unprocessed work (the result is the count left) or fails transiently.
    /// DynamoDB returns UnprocessedItems when a partition is throttled; retrying at once would be throttled again,
    /// hence the exponential backoff with jitter that AWS recommends for exactly this case.
    /// </summary>
    public static ResiliencePipeline<int> CreateBatchPipeline(DynamoDbOptions options, CoordinatorMetrics metrics, string operation) =>
        new ResiliencePipelineBuilder<int>()
            .AddRetry(WithBackoff<RetryStrategyOptions<int>, int>(new RetryStrategyOptions<int>
            {
                ShouldHandle = new PredicateBuilder<int>()
                    .Handle<Exception>(DynamoTransientFaults.IsTransient)
                    .HandleResult(left => left > 0),
            }, metrics, operation, options.BatchMaxRetryAttempts, options))
            .Build();

    /// <summary>The backoff both pipelines share: exponential with jitter, bounded, each retry counted.</summary>
    private static TOptions WithBackoff<TOptions, TResult>(TOptions options, CoordinatorMetrics metrics, string operation, int maxRetryAttempts,
        DynamoDbOptions delays)
        where TOptions : RetryStrategyOptions<TResult>
    {
        options.BackoffType = DelayBackoffType.Exponential;
        options.UseJitter = true;
        options.MaxRetryAttempts = maxRetryAttempts;
        options.Delay = delays.BaseDelay;
        options.MaxDelay = delays.MaxDelay;
        options.OnRetry = _ =>
        {
            metrics.DynamoRetried(operation);
            return ValueTask.CompletedTask;
        };
        return options;
    }
}
