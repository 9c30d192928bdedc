using System.Net.Http.Headers;
using Amazon;
using Amazon.Runtime;
using Coordinator.Aws.Streams;

namespace Coordinator.Reconciler.Tests.Streams;

/// <summary>
/// Checks our request signing against AWS's published SigV4 examples (Amazon S3 API Reference, "Signature
/// Calculations for the Authorization Header", whose requests carry x-amz-content-sha256 as AWSSDK.Core's signer always
/// does), then checks what a Streams request signs.
/// </summary>
public sealed class SigV4RequestSignerTests
{
    private static readonly BasicAWSCredentials S3Examples = new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    private static readonly DateTime S3ExampleTime = new(2013, 5, 24, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Signs_the_published_GET_Object_example_with_a_range_header()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://examplebucket.s3.amazonaws.com/test.txt");
        request.Headers.TryAddWithoutValidation("Range", "bytes=0-9");

        await SigV4RequestSigner.SignAsync(request, [], S3Examples, RegionEndpoint.USEast1, "s3", S3ExampleTime, default);

        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            Header(request, "Authorization"));
        Assert.Equal("20130524T000000Z", Header(request, "X-Amz-Date"));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Header(request, "X-Amz-Content-SHA256"));
    }

    [Fact]
    public async Task Signs_the_published_PUT_Object_example_hashing_its_body()
    {
        var body = "Welcome to Amazon S3."u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Put, "https://examplebucket.s3.amazonaws.com/test$file.text");
        request.Headers.TryAddWithoutValidation("Date", "Fri, 24 May 2013 00:00:00 GMT");
        request.Headers.TryAddWithoutValidation("x-amz-storage-class", "REDUCED_REDUNDANCY");

        await SigV4RequestSigner.SignAsync(request, body, S3Examples, RegionEndpoint.USEast1, "s3", S3ExampleTime, default);

        Assert.EndsWith(
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, " +
            "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
            Header(request, "Authorization"));
    }

    [Theory]
    [InlineData("https://examplebucket.s3.amazonaws.com/?lifecycle", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")]
    [InlineData("https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")]
    public async Task Signs_the_published_query_string_examples(string uri, string signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);

        await SigV4RequestSigner.SignAsync(request, [], S3Examples, RegionEndpoint.USEast1, "s3", S3ExampleTime, default);

        Assert.EndsWith($"SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={signature}", Header(request, "Authorization"));
    }

    [Fact]
    public async Task A_streams_request_signs_its_target_and_content_type_under_the_dynamodb_scope()
    {
        var body = StreamsWire.GetRecordsBody("iterator-1", 100);
        using var request = StreamsRequest(body);
        var credentials = new BasicAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        var at = new DateTime(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc);

        await SigV4RequestSigner.SignAsync(request, body, credentials, RegionEndpoint.EUWest1, "dynamodb", at, default);
        var first = Header(request, "Authorization");
        using var again = StreamsRequest(body);
        await SigV4RequestSigner.SignAsync(again, body, credentials, RegionEndpoint.EUWest1, "dynamodb", at, default);
        using var otherBody = StreamsRequest(StreamsWire.GetRecordsBody("iterator-2", 100));
        await SigV4RequestSigner.SignAsync(otherBody, StreamsWire.GetRecordsBody("iterator-2", 100), credentials, RegionEndpoint.EUWest1, "dynamodb", at, default);

        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/dynamodb/aws4_request, " +
            "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, Signature=", first);
        Assert.Equal(first, Header(again, "Authorization"));
        Assert.NotEqual(first, Header(otherBody, "Authorization"));
    }

    [Fact]
    public async Task Session_credentials_add_the_security_token_header()
    {
        var body = StreamsWire.ListStreamsBody("jobs", null, null);
        using var request = StreamsRequest(body);

        await SigV4RequestSigner.SignAsync(request, body, new SessionAWSCredentials("AKID", "secret", "the-session-token"),
            RegionEndpoint.USEast1, "dynamodb", null, default);

        Assert.Equal("the-session-token", Header(request, "X-Amz-Security-Token"));
        Assert.Contains("x-amz-security-token", Header(request, "Authorization"));
    }

    private static HttpRequestMessage StreamsRequest(byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "https://streams.dynamodb.eu-west-1.amazonaws.com/");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "DynamoDBStreams_20120810.GetRecords");
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.0");
        return request;
    }

    private static string Header(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";
}
