using System.Threading.Channels;
using Amazon.DynamoDBv2;
using Coordinator.Aws.Streams;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Retry;
using Coordinator.Controllers.Tasks;
using Coordinator.Reconciler.Queue;
using Coordinator.Reconciler.Reconcile;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Coordinator.Reconciler.Feed;

/// <summary>
/// List, then watch. The jobs and tasks streams are positioned first, then every job that is not finished is listed
/// and enqueued, and so is every finished job whose item shows a change the daemon has not observed
/// (<see cref="UnobservedChange"/>: a retry, a spec edit, a cancel stamp or a TTL edit made while no daemon watched);
/// then records flow: a job record enqueues its job, a task record enqueues its owner. Every resync
/// period (jittered) and whenever a follower reports a gap, the list runs again. A list that fails is retried with
/// backoff; nothing here ever gives up while the daemon runs. After the first list the term's <see cref="ExpirySweep"/>
/// runs beside it (finished jobs past their ttlAfterFinished).
/// </summary>
public sealed partial class ChangeFeed(
    IStateStore store,
    IDynamoDbStreams streams,
    IAmazonDynamoDB dynamo,
    CoordinatorOptions options,
    FeedOptions feedOptions,
    CoordinatorMetrics metrics,
    ILoggerFactory loggers,
    TimeProvider? time = null,
    TaskEventLog? taskEvents = null,
    IShardCheckpoints? checkpoints = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = loggers.CreateLogger<ChangeFeed>();

    /// <summary>Feeds <paramref name="queue"/> until cancelled; <paramref name="firstList"/> completes after the first list.</summary>
    public async Task RunAsync(WorkQueue<JobKey> queue, TaskCompletionSource? firstList, CancellationToken ct)
    {
        var relists = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var sink = new QueueSink(queue, relists.Writer, metrics, _logger, taskEvents);
        var followerLogger = loggers.CreateLogger<StreamFollower>();
        var followers = new[]
        {
            new StreamFollower(StreamTable.Jobs, token => StreamArnAsync(options.JobsTable, token), streams, sink, feedOptions, metrics, followerLogger, _time, checkpoints),
            new StreamFollower(StreamTable.Tasks, token => StreamArnAsync(options.TasksTable, token), streams, sink, feedOptions, metrics, followerLogger, _time,
                checkpoints),
        };
        var following = followers.Select(f => Task.Run(() => f.RunAsync(ct), CancellationToken.None)).ToArray();
        var sweeping = Task.CompletedTask;
        try
        {
            await Task.WhenAll(followers.Select(f => f.Positioned)).WaitAsync(ct).ConfigureAwait(false);
            await ListAsync(queue, "start", ct).ConfigureAwait(false);
            firstList?.TrySetResult();
            sweeping = new ExpirySweep(store, feedOptions, loggers.CreateLogger<ExpirySweep>(), _time).RunAsync(queue, ct);
            var random = new Random();
            while (!ct.IsCancellationRequested)
            {
                using var resync = CancellationTokenSource.CreateLinkedTokenSource(ct);
                resync.CancelAfter(PollPacer.JitteredResync(feedOptions, random.NextDouble()));
                string reason;
                try
                {
                    reason = await relists.Reader.ReadAsync(resync.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    reason = "resync";
                }
                await ListAsync(queue, reason, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            await Task.WhenAll([.. following, sweeping]).ConfigureAwait(false);
        }
    }

    /// <summary>First delay between two failed lists; it doubles with every further one.</summary>
    public static readonly TimeSpan ListRetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest delay between two failed lists.</summary>
    public static readonly TimeSpan MaxListRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>Delay after the <paramref name="attempt"/>-th failed list (1-based): 0.5 s, 1 s, 2 s, … capped at 30 s.</summary>
    public static TimeSpan ListRetryBackoff(int attempt) => Backoff.Exponential(attempt - 1, ListRetryDelay, MaxListRetryDelay);

    private async Task ListAsync(WorkQueue<JobKey> queue, string reason, CancellationToken ct)
    {
        var count = await CreateListRetry().ExecuteAsync(async token =>
        {
            var listed = 0;
            await foreach (var name in store.ListActiveJobNamesAsync(token).ConfigureAwait(false))
            {
                queue.Add(new JobKey(name));
                listed++;
            }
            return listed;
        }, ct).ConfigureAwait(false);
        var changed = await CreateListRetry().ExecuteAsync(async token =>
        {
            var listed = 0;
            await foreach (var job in store.ListFinishedJobsAsync(token).ConfigureAwait(false))
            {
                if (UnobservedChange.Of(job) is { } change)
                {
                    queue.Add(new JobKey(job.Name));
                    LogFinishedChanged(job.Name, change);
                    listed++;
                }
            }
            return listed;
        }, ct).ConfigureAwait(false);
        metrics.Relisted(reason);
        LogListed(count, reason);
        if (changed > 0)
        {
            LogListedFinished(changed, reason);
        }
    }

    /// <summary>A list that fails is retried until it succeeds or the daemon stops, with <see cref="ListRetryBackoff"/>.</summary>
    private ResiliencePipeline<int> CreateListRetry() =>
        new ResiliencePipelineBuilder<int> { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions<int>
            {
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && (e is not OperationCanceledException || !args.Context.CancellationToken.IsCancellationRequested)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(ListRetryBackoff(args.AttemptNumber + 1)),
                OnRetry = args =>
                {
                    LogListFailed(args.Outcome.Exception!, args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    private async Task<string> StreamArnAsync(string table, CancellationToken ct)
    {
        var described = await dynamo.DescribeTableAsync(table, ct).ConfigureAwait(false);
        return described.Table.LatestStreamArn is { Length: > 0 } arn
            ? arn
            : throw new InvalidOperationException($"table {table} has no stream; run `coordinator init` to enable NEW_AND_OLD_IMAGES");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listed {Count} active jobs ({Reason})")]
    private partial void LogListed(int count, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listed {Count} finished jobs changed since the daemon last observed them ({Reason})")]
    private partial void LogListedFinished(int count, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{JobName}: finished, but its {Change} changed while no daemon was watching; enqueued")]
    private partial void LogFinishedChanged(string jobName, string change);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing active jobs failed (attempt {Attempt}); retrying in {Backoff}")]
    private partial void LogListFailed(Exception exception, int attempt, TimeSpan backoff);
}
