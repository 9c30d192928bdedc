using System.Net;
using System.Net.Sockets;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace Coordinator.Aws.DynamoDb;

/// <summary>
/// Decides which DynamoDB failures are worth retrying. Throttling, 5xx and lost connections are transient: DynamoDB
/// (or the network) will take the call again a moment later. A failed condition is not a fault at all but the
/// optimistic-locking signal, and validation errors (400) will fail the same way on every attempt, so neither is retried.
/// </summary>
public static class DynamoTransientFaults
{
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "LimitExceededException",
        "TransactionInProgressException",
    };

    public static bool IsTransient(Exception exception) => exception switch
    {
        ConditionalCheckFailedException => false,
        TransactionCanceledException => false,
        ProvisionedThroughputExceededException or RequestLimitExceededException or InternalServerErrorException => true,
        AmazonServiceException service when service.ErrorCode is not null && ThrottlingCodes.Contains(service.ErrorCode) => true,
        AmazonServiceException service when (int)service.StatusCode >= 500 => true,
        AmazonServiceException { StatusCode: HttpStatusCode.TooManyRequests } => true,
        AmazonServiceException { StatusCode: 0, InnerException: { } inner } => IsTransient(inner),
        HttpRequestException or SocketException or IOException or TimeoutException => true,
        TaskCanceledException { InnerException: TimeoutException } => true,
        AmazonClientException { InnerException: { } inner } => IsTransient(inner),
        _ => false,
    };
}
