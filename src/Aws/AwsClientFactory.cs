using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.S3;
using Coordinator.Controllers.Configuration;

namespace Coordinator.Aws;

/// <summary>
/// Builds AWS clients the same way the AWS CLI is pointed: CoordinatorOptions.EndpointUrl, else the standard
/// AWS_ENDPOINT_URL, else the SDK's own endpoint; credentials from the default chain. The one place clients are made.
/// </summary>
public sealed class AwsClientFactory(CoordinatorOptions options)
{
    /// <summary>The endpoint override in force, or null for real AWS.</summary>
    public string? EndpointUrl { get; } =
        options.EndpointUrl is { Length: > 0 } configured ? configured
        : Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL") is { Length: > 0 } fromEnv ? fromEnv
        : null;

    /// <summary>
    /// The endpoint for one service: the configured EndpointUrl, else the standard service-specific variable
    /// (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3), else <see cref="EndpointUrl"/>. The service-specific
    /// variables let DynamoDB point at DynamoDB Local while S3 stays on moto, as the AWS CLI allows.
    /// </summary>
    public string? ServiceEndpointUrl(string serviceId) =>
        options.EndpointUrl is { Length: > 0 } configured ? configured
        : Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_" + serviceId) is { Length: > 0 } fromEnv ? fromEnv
        : EndpointUrl;

    public RegionEndpoint Region { get; } = RegionEndpoint.GetBySystemName(
        options.Region
        ?? Environment.GetEnvironmentVariable("AWS_REGION")
        ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION")
        ?? "us-east-1");

    public IAmazonDynamoDB CreateDynamoDb()
    {
        var config = new AmazonDynamoDBConfig { RegionEndpoint = Region };
        if (ServiceEndpointUrl("DYNAMODB") is { } endpoint)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = Region.SystemName;
        }
        return new AmazonDynamoDBClient(config);
    }

    public IAmazonS3 CreateS3()
    {
        // Checksums only where S3 requires them: every batch and result already carries its own sha256, checked end
        // to end by the worker and the aggregator, so the SDK's default CRC32 on every request (a chunked upload with
        // a trailer, and a checksum of every download) adds work on both sides and protects nothing more.
        var config = new AmazonS3Config
        {
            RegionEndpoint = Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (ServiceEndpointUrl("S3") is { } endpoint)
        {
            config.ServiceURL = endpoint;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = Region.SystemName;
        }
        return new AmazonS3Client(config);
    }
}
