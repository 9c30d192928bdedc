using System.Threading.Channels;
using Amazon.DynamoDBv2;
using Coordinator.Aws.Streams;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Tasks;
using Coordinator.Reconciler.Queue;
using Coordinator.Reconciler.Reconcile;
using Microsoft.Extensions.Logging;

namespace Coordinator.Reconciler.Feed;

/// <summary>
/// List, then watch. The jobs and tasks streams are positioned first, then every job that is not finished is listed
/// and enqueued, then records flow: a job record enqueues its job, a task record enqueues its owner. Every resync
/// period (jittered) and whenever a follower reports a gap, the list runs again. A list that fails is retried with
/// backoff; nothing here ever gives up while the daemon runs.
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
    TaskEventLog? taskEvents = null)
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
            new StreamFollower(StreamTable.Jobs, token => StreamArnAsync(options.JobsTable, token), streams, sink, feedOptions, metrics, followerLogger, _time),
            new StreamFollower(StreamTable.Tasks, token => StreamArnAsync(options.TasksTable, token), streams, sink, feedOptions, metrics, followerLogger, _time),
        };
        var following = followers.Select(f => Task.Run(() => f.RunAsync(ct), CancellationToken.None)).ToArray();
        try
        {
            await Task.WhenAll(followers.Select(f => f.Positioned)).WaitAsync(ct).ConfigureAwait(false);
            await ListAsync(queue, "start", ct).ConfigureAwait(false);
            firstList?.TrySetResult();
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
            await Task.WhenAll(following).ConfigureAwait(false);
        }
    }

    private async Task ListAsync(WorkQueue<JobKey> queue, string reason, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var count = 0;
                await foreach (var name in store.ListActiveJobNamesAsync(ct).ConfigureAwait(false))
                {
                    queue.Add(new JobKey(name));
                    count++;
                }
                metrics.Relisted(reason);
                LogListed(count, reason);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                var backoff = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(attempt, 10))));
                LogListFailed(e, attempt, backoff);
                await Task.Delay(backoff, _time, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task<string> StreamArnAsync(string table, CancellationToken ct)
    {
        var described = await dynamo.DescribeTableAsync(table, ct).ConfigureAwait(false);
        return described.Table.LatestStreamArn is { Length: > 0 } arn
            ? arn
            : throw new InvalidOperationException($"table {table} has no stream; run `coordinator init` to enable NEW_AND_OLD_IMAGES");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listed {Count} active jobs ({Reason})")]
    private partial void LogListed(int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing active jobs failed (attempt {Attempt}); retrying in {Backoff}")]
    private partial void LogListFailed(Exception exception, int attempt, TimeSpan backoff);
}
