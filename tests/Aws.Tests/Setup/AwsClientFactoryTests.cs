using Amazon.Runtime.CredentialManagement;
using Coordinator.Controllers.Configuration;

namespace Coordinator.Aws.Tests.Setup;

/// <summary>The region and credentials in the AWS CLI's order, from a scratch credentials file and a given environment.</summary>
public sealed class AwsClientFactoryTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    public AwsClientFactoryTests() =>
        File.WriteAllText(_file, "[default]\nregion = ap-south-1\n\n[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = secret\nregion = eu-west-2\n");

    public void Dispose() => File.Delete(_file);

    [Theory]
    [InlineData("eu-north-1", "us-west-1", "us-west-2", "ci", "eu-north-1")]
    [InlineData(null, "us-west-1", "us-west-2", "ci", "us-west-1")]
    [InlineData(null, null, "us-west-2", "ci", "us-west-2")]
    [InlineData(null, null, null, "ci", "eu-west-2")]
    [InlineData(null, null, null, null, "ap-south-1")]
    public void The_region_is_the_setting_then_AWS_REGION_then_AWS_DEFAULT_REGION_then_the_profiles(
        string? setting, string? awsRegion, string? defaultRegion, string? profile, string expected)
    {
        var environment = new Dictionary<string, string?> { ["AWS_REGION"] = awsRegion, ["AWS_DEFAULT_REGION"] = defaultRegion };
        var factory = new AwsClientFactory(new CoordinatorOptions { Region = setting, Profile = profile }, n => environment.GetValueOrDefault(n),
            new SharedCredentialsFile(_file));
        Assert.Equal(expected, factory.Region.SystemName);
    }

    [Fact]
    public void AWS_PROFILE_names_the_profile_when_no_setting_does_and_no_region_at_all_is_an_error_naming_the_sources()
    {
        var environment = new Dictionary<string, string?> { ["AWS_PROFILE"] = "ci", ["AWS_EC2_METADATA_DISABLED"] = "true" };
        Assert.Equal("eu-west-2", new AwsClientFactory(new CoordinatorOptions(), n => environment.GetValueOrDefault(n), new SharedCredentialsFile(_file)).Region.SystemName);

        File.WriteAllText(_file, "[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = secret\n");
        var none = new AwsClientFactory(new CoordinatorOptions(), n => environment.GetValueOrDefault(n), new SharedCredentialsFile(_file));
        var error = Assert.Throws<AwsSetupException>(() => none.Region);
        Assert.Contains("no AWS region: pass --region, set AWS_REGION (or AWS_DEFAULT_REGION), or give the profile \"ci\" a region", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_named_profile_gives_its_keys_and_an_unknown_one_is_refused_by_name()
    {
        var factory = new AwsClientFactory(new CoordinatorOptions { Profile = "ci", Region = "us-east-1" }, _ => null, new SharedCredentialsFile(_file));
        Assert.Equal("AKIDCI", factory.Credentials!.GetCredentials().AccessKey);
        Assert.Null(new AwsClientFactory(new CoordinatorOptions { Region = "us-east-1" }, _ => null, new SharedCredentialsFile(_file)).Credentials);

        var unknown = new AwsClientFactory(new CoordinatorOptions { Profile = "nope", Region = "us-east-1" }, _ => null, new SharedCredentialsFile(_file));
        Assert.Equal("the AWS profile \"nope\" (--profile) was not found in ~/.aws/credentials or ~/.aws/config",
            Assert.Throws<AwsSetupException>(() => unknown.Credentials).Message);
    }

    [Fact]
    public void The_endpoint_is_the_setting_then_the_services_variable_then_AWS_ENDPOINT_URL()
    {
        var environment = new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = "http://all:1", ["AWS_ENDPOINT_URL_S3"] = "http://s3:2" };
        var fromEnvironment = new AwsClientFactory(new CoordinatorOptions { Region = "us-east-1" }, n => environment.GetValueOrDefault(n), new SharedCredentialsFile(_file));
        Assert.Equal(("http://s3:2", "http://all:1"), (fromEnvironment.ServiceEndpointUrl("S3"), fromEnvironment.ServiceEndpointUrl("DYNAMODB")));
        var configured = new AwsClientFactory(new CoordinatorOptions { Region = "us-east-1", EndpointUrl = "http://flag:3" }, n => environment.GetValueOrDefault(n),
            new SharedCredentialsFile(_file));
        Assert.Equal(("http://flag:3", "http://flag:3"), (configured.ServiceEndpointUrl("S3"), configured.ServiceEndpointUrl("DYNAMODB")));
    }

    [Fact]
    public void The_streams_endpoint_is_the_setting_then_its_own_variable_then_DynamoDBs_from_the_factorys_environment()
    {
        var environment = new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL"] = "http://all:1",
            ["AWS_ENDPOINT_URL_DYNAMODB"] = "http://dynamodb:2",
            ["AWS_ENDPOINT_URL_DYNAMODB_STREAMS"] = "http://streams:3",
        };
        Uri Endpoint(CoordinatorOptions options, IReadOnlyDictionary<string, string?> variables)
        {
            using var client = new Streams.DynamoDbStreamsClient(
                new AwsClientFactory(options, n => variables.GetValueOrDefault(n), new SharedCredentialsFile(_file)),
                new Amazon.Runtime.BasicAWSCredentials("test", "test"));
            return client.Endpoint;
        }
        var region = new CoordinatorOptions { Region = "eu-west-1" };
        Assert.Equal(new Uri("http://streams:3/"), Endpoint(region, environment));
        Assert.Equal(new Uri("http://flag:4/"), Endpoint(new CoordinatorOptions { Region = "eu-west-1", EndpointUrl = "http://flag:4" }, environment));
        var noStreams = environment.Where(kv => kv.Key != "AWS_ENDPOINT_URL_DYNAMODB_STREAMS").ToDictionary();
        Assert.Equal(new Uri("http://dynamodb:2/"), Endpoint(region, noStreams));
        Assert.Equal(new Uri("https://streams.dynamodb.eu-west-1.amazonaws.com/"), Endpoint(region, new Dictionary<string, string?>()));
    }
}
