using System.Net;
using Coordinator.Model.Errors;

namespace Coordinator.Aws.Streams;

/// <summary>
/// An error answer from DynamoDB Streams, with the service's error code (the part of <c>__type</c> after '#').
/// The feed reacts to the codes: an expired iterator is re-acquired, trimmed data means a relist, throttling backs off.
/// </summary>
public sealed class StreamsException(string errorCode, string message, HttpStatusCode statusCode)
    : CoordinatorException($"DynamoDB Streams {errorCode} ({(int)statusCode}): {message}")
{
    public string ErrorCode { get; } = errorCode;
    public HttpStatusCode StatusCode { get; } = statusCode;

    public bool IsExpiredIterator => ErrorCode == "ExpiredIteratorException";
    public bool IsTrimmedData => ErrorCode == "TrimmedDataAccessException";
    public bool IsResourceNotFound => ErrorCode == "ResourceNotFoundException";
    public bool IsThrottling => ErrorCode is "LimitExceededException" or "ThrottlingException" or "ProvisionedThroughputExceededException"
        or "RequestLimitExceeded" || StatusCode == HttpStatusCode.TooManyRequests;
    public bool IsServerError => (int)StatusCode >= 500;

    /// <summary>Worth another attempt: throttling and server errors.</summary>
    public override bool IsTransient => IsThrottling || IsServerError;
}
