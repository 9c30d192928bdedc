using Amazon.DynamoDBv2.Model;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.State;

/// <summary>
/// Conditional writes of many tasks in few round trips. A pilot claims (and records) batches by the dozen; one
/// PutItem each made the DynamoDB round trip the cost of a tiny batch. A transaction is all-or-nothing, so when some
/// conditions fail (another pilot won those tasks) DynamoDB names them in CancellationReasons: they are dropped and
/// the rest is sent again, so each task still ends written exactly when its own condition held.
/// </summary>
public sealed partial class DynamoStateStore
{
    /// <summary>DynamoDB's limit on actions per TransactWriteItems.</summary>
    public const int MaxTransactionItems = 100;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<bool>> TryUpdateTasksAsync(IReadOnlyList<JobTask> tasks, CancellationToken ct)
    {
        var written = new bool[tasks.Count];
        for (var start = 0; start < tasks.Count; start += MaxTransactionItems)
        {
            var pending = Enumerable.Range(start, Math.Min(MaxTransactionItems, tasks.Count - start)).ToList();
            while (pending.Count > 1)
            {
                var lost = await TransactAsync(tasks, pending, ct).ConfigureAwait(false);
                if (lost is null)
                {
                    foreach (var i in pending)
                    {
                        tasks[i].Version++;
                        written[i] = true;
                    }
                    pending.Clear();
                }
                else if (lost.Count == 0)
                {
                    break; // cancelled without a failed condition (a conflicting transaction in flight): one by one below
                }
                else
                {
                    pending.RemoveAll(lost.Contains);
                }
            }
            foreach (var i in pending)
            {
                try
                {
                    await UpdateTaskAsync(tasks[i], ct).ConfigureAwait(false);
                    written[i] = true;
                }
                catch (Ports.ConflictException)
                {
                }
            }
        }
        return written;
    }

    /// <summary>
    /// Null when every put was written. Otherwise nothing was written and the result holds the indexes whose condition
    /// failed (empty when the transaction was cancelled for another reason).
    /// </summary>
    private async Task<HashSet<int>?> TransactAsync(IReadOnlyList<JobTask> tasks, List<int> indexes, CancellationToken ct)
    {
        var request = new TransactWriteItemsRequest
        {
            TransactItems = [.. indexes.Select(i => new TransactWriteItem { Put = ConditionalTaskPut(tasks[i]) })],
        };
        try
        {
            await _retry.ExecuteAsync(async token => await _client.TransactWriteItemsAsync(request, token).ConfigureAwait(false), ct)
                .ConfigureAwait(false);
            return null;
        }
        catch (TransactionCanceledException e)
        {
            var lost = new HashSet<int>();
            var reasons = e.CancellationReasons ?? [];
            for (var k = 0; k < reasons.Count && k < indexes.Count; k++)
            {
                if (reasons[k].Code == "ConditionalCheckFailed")
                {
                    lost.Add(indexes[k]);
                }
            }
            if (lost.Count > 0)
            {
                _metrics.ConflictOccurred(_options.TasksTable);
            }
            return lost;
        }
    }
}
