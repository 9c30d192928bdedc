using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.S3;
using Coordinator.Controllers.Configuration;
using Coordinator.Model.Errors;

namespace Coordinator.Aws;

/// <summary>
/// Builds AWS clients the way the AWS CLI is pointed, so `coordinator` and `aws` agree on the same machine:
/// the endpoint from CoordinatorOptions.EndpointUrl (`--endpoint-url`), else AWS_ENDPOINT_URL_&lt;SERVICE&gt;, else
/// AWS_ENDPOINT_URL, else the SDK's own; the region and credentials from the named profile (`--profile`, else
/// AWS_PROFILE) and the SDK's default chains (<see cref="ResolveRegion"/>). The one place clients are made.
/// </summary>
public sealed class AwsClientFactory
{
    private readonly CoordinatorOptions _options;
    private readonly Func<string, string?> _environment;
    private readonly Lazy<RegionEndpoint> _region;
    private readonly Lazy<AWSCredentials?> _credentials;

    public AwsClientFactory(CoordinatorOptions options) : this(options, Environment.GetEnvironmentVariable, null)
    {
    }

    /// <summary>With the environment and the profile store given (tests); <paramref name="profiles"/> null: the SDK's ~/.aws files.</summary>
    public AwsClientFactory(CoordinatorOptions options, Func<string, string?> environment, ICredentialProfileSource? profiles)
    {
        _options = options;
        _environment = environment;
        var store = new Lazy<ICredentialProfileSource>(() => profiles ?? new CredentialProfileStoreChain());
        _region = new Lazy<RegionEndpoint>(() => ResolveRegion(options, environment, store.Value, ProfileName));
        _credentials = new Lazy<AWSCredentials?>(() => ResolveCredentials(options.Profile, store.Value));
        EndpointUrl = options.EndpointUrl is { Length: > 0 } configured ? configured
            : environment("AWS_ENDPOINT_URL") is { Length: > 0 } fromEnv ? fromEnv
            : null;
    }

    /// <summary>The endpoint override in force, or null for real AWS.</summary>
    public string? EndpointUrl { get; }

    /// <summary>The profile asked for: `--profile` (Coordinator:Profile), else AWS_PROFILE, else null (the SDK's "default").</summary>
    public string? ProfileName => _options.Profile ?? (_environment("AWS_PROFILE") is { Length: > 0 } p ? p : null);

    /// <summary>
    /// The endpoint for one service: the configured EndpointUrl, else the standard service-specific variable
    /// (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3), else <see cref="EndpointUrl"/>. The service-specific
    /// variables let DynamoDB point at DynamoDB Local while S3 stays on moto, as the AWS CLI allows.
    /// </summary>
    public string? ServiceEndpointUrl(string serviceId) =>
        _options.EndpointUrl is { Length: > 0 } configured ? configured
        : _environment("AWS_ENDPOINT_URL_" + serviceId) is { Length: > 0 } fromEnv ? fromEnv
        : EndpointUrl;

    /// <summary>
    /// The DynamoDB Streams endpoint: the configured EndpointUrl, else AWS_ENDPOINT_URL_DYNAMODB_STREAMS, else DynamoDB's
    /// (<see cref="ServiceEndpointUrl"/>: the emulators serve Streams on DynamoDB's port), else null for AWS's own.
    /// </summary>
    public string? StreamsEndpointUrl =>
        _options.EndpointUrl is { Length: > 0 } configured ? configured
        : _environment("AWS_ENDPOINT_URL_DYNAMODB_STREAMS") is { Length: > 0 } streamsOnly ? streamsOnly
        : ServiceEndpointUrl("DYNAMODB");

    /// <summary>The region in force (resolved once, on first use). Throws <see cref="AwsSetupException"/> when no source gives one.</summary>
    public RegionEndpoint Region => _region.Value;

    /// <summary>Credentials of the `--profile` asked for, or null: the SDK's default chain (which honours AWS_PROFILE itself).</summary>
    public AWSCredentials? Credentials => _credentials.Value;

    /// <summary>
    /// The region, in the AWS CLI's order: `--region` (Coordinator:Region), AWS_REGION, AWS_DEFAULT_REGION, the profile's
    /// <c>region</c> (~/.aws/config or credentials), then the instance's (EC2 metadata, unless AWS_EC2_METADATA_DISABLED).
    /// </summary>
    public static RegionEndpoint ResolveRegion(CoordinatorOptions options, Func<string, string?> environment, ICredentialProfileSource profiles,
        string? profileName)
    {
        var name = options.Region is { Length: > 0 } configured ? configured
            : environment("AWS_REGION") is { Length: > 0 } region ? region
            : environment("AWS_DEFAULT_REGION") is { Length: > 0 } defaultRegion ? defaultRegion
            : profiles.TryGetProfile(profileName ?? "default", out var profile) && profile.Region is { } fromProfile ? fromProfile.SystemName
            : MetadataRegion(environment);
        return name is { Length: > 0 } ? RegionEndpoint.GetBySystemName(name)
            : throw new AwsSetupException(
                $"no AWS region: pass --region, set AWS_REGION (or AWS_DEFAULT_REGION), or give the profile \"{profileName ?? "default"}\" a region "
                + "(aws configure set region REGION), as for the AWS CLI");
    }

    private static string? MetadataRegion(Func<string, string?> environment)
    {
        if (string.Equals(environment("AWS_EC2_METADATA_DISABLED"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        try
        {
            return new InstanceProfileAWSRegion().Region?.SystemName;
        }
        catch (Exception e) when (e is AmazonClientException or InvalidOperationException or HttpRequestException)
        {
            return null;
        }
    }

    private static AWSCredentials? ResolveCredentials(string? profileName, ICredentialProfileSource profiles)
    {
        if (profileName is null)
        {
            return null;
        }
        if (!profiles.TryGetProfile(profileName, out var profile))
        {
            throw new AwsSetupException($"the AWS profile \"{profileName}\" (--profile) was not found in ~/.aws/credentials or ~/.aws/config");
        }
        try
        {
            return profile.GetAWSCredentials(profiles)
                ?? throw new AwsSetupException($"the AWS profile \"{profileName}\" (--profile) has no credentials the SDK can use");
        }
        catch (InvalidDataException e)
        {
            throw new AwsSetupException($"the AWS profile \"{profileName}\" (--profile) has no credentials the SDK can use: {e.Message}");
        }
    }

    public IAmazonDynamoDB CreateDynamoDb()
    {
        var config = new AmazonDynamoDBConfig { RegionEndpoint = Region };
        if (ServiceEndpointUrl("DYNAMODB") is { } endpoint)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = Region.SystemName;
        }
        return Credentials is { } credentials ? new AmazonDynamoDBClient(credentials, config) : new AmazonDynamoDBClient(config);
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
        return Credentials is { } credentials ? new AmazonS3Client(credentials, config) : new AmazonS3Client(config);
    }
}

/// <summary>The AWS setup cannot work (no region, an unknown profile): a usage error naming what to set.</summary>
public sealed class AwsSetupException(string message) : CoordinatorException(message);
