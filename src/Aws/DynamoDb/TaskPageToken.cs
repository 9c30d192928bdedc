using System.Globalization;
using Amazon.DynamoDBv2.Model;

namespace Coordinator.Aws.DynamoDb;

/// <summary>
/// The opaque page token of <c>QueryTasksAsync</c>. Within one job the only varying key is the batch index, so the
/// token is just that index: short, stable across daemons, and it can't point a query at another job's tasks.
/// </summary>
public static class TaskPageToken
{
    public static string? FromLastEvaluatedKey(Dictionary<string, AttributeValue>? lastKey) =>
        lastKey is not null && lastKey.TryGetValue(StateAttributes.TaskIndex, out var index) && index.N is { Length: > 0 } n
            ? n
            : null;

    /// <summary>Rebuilds the ExclusiveStartKey; a token that is not an index is rejected naming it.</summary>
    public static Dictionary<string, AttributeValue>? ToExclusiveStartKey(string job, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            throw new ArgumentException($"task page token \"{token}\" is not valid: expected a batch index", nameof(token));
        }
        return new Dictionary<string, AttributeValue>
        {
            [StateAttributes.TaskJob] = new() { S = job },
            [StateAttributes.TaskIndex] = new() { N = index.ToString(CultureInfo.InvariantCulture) },
        };
    }
}
