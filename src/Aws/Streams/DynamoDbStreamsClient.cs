using System.Net.Http.Headers;
using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Coordinator.Model.Errors;
using Polly;
using Polly.Retry;

namespace Coordinator.Aws.Streams;

/// <summary>
/// DynamoDB Streams over HTTP on AWSSDK.Core: JSON 1.0 bodies, <c>X-Amz-Target: DynamoDBStreams_20120810.&lt;Op&gt;</c>,
/// SigV4 with signing name <c>dynamodb</c>, endpoint <c>https://streams.dynamodb.{region}.amazonaws.com</c> unless
/// <see cref="AwsClientFactory.StreamsEndpointUrl"/> points elsewhere (moto and DynamoDB Local serve Streams on their main
/// port), credentials from the SDK's default chain. Throttling, 5xx and lost connections are retried with jittered
/// exponential backoff; other errors surface at once as <see cref="StreamsException"/>.
/// </summary>
public sealed class DynamoDbStreamsClient : IDynamoDbStreams, IDisposable
{
    public const string SigningName = "dynamodb";
    public const string EndpointPrefix = "streams.dynamodb";

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly RegionEndpoint _region;
    private readonly Lazy<AWSCredentials> _credentials;
    private readonly ResiliencePipeline _retry;

    public DynamoDbStreamsClient(AwsClientFactory aws, AWSCredentials? credentials = null, HttpMessageHandler? handler = null)
    {
        _region = aws.Region;
        _endpoint = new Uri(aws.StreamsEndpointUrl is { } overridden
            ? overridden.TrimEnd('/') + "/"
            : $"https://{EndpointPrefix}.{_region.SystemName}.{(_region.PartitionDnsSuffix ?? "amazonaws.com")}/");
        _credentials = new Lazy<AWSCredentials>(() => credentials ?? aws.Credentials ?? DefaultAWSCredentialsIdentityResolver.GetCredentials());
        _http = handler is null
            ? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = TimeSpan.FromSeconds(30);
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                MaxRetryAttempts = 4,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(5),
            })
            .Build();
    }

    public Uri Endpoint => _endpoint;

    public Task<StreamDescription> DescribeStreamAsync(string streamArn, string? exclusiveStartShardId, int? limit, CancellationToken ct) =>
        CallAsync("DescribeStream", StreamsWire.DescribeStreamBody(streamArn, exclusiveStartShardId, limit), StreamsWire.ParseDescribeStream, ct);

    public Task<string> GetShardIteratorAsync(string streamArn, string shardId, ShardIteratorType type, string? sequenceNumber, CancellationToken ct) =>
        CallAsync("GetShardIterator", StreamsWire.GetShardIteratorBody(streamArn, shardId, type, sequenceNumber), StreamsWire.ParseShardIterator, ct);

    public Task<GetRecordsResult> GetRecordsAsync(string shardIterator, int? limit, CancellationToken ct) =>
        CallAsync("GetRecords", StreamsWire.GetRecordsBody(shardIterator, limit), StreamsWire.ParseGetRecords, ct);

    public Task<ListStreamsResult> ListStreamsAsync(string? tableName, string? exclusiveStartStreamArn, int? limit, CancellationToken ct) =>
        CallAsync("ListStreams", StreamsWire.ListStreamsBody(tableName, exclusiveStartStreamArn, limit), StreamsWire.ParseListStreams, ct);

    public void Dispose() => _http.Dispose();

    /// <summary>Worth another attempt: throttling, server errors, and the network failing under us.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        CoordinatorException coordinator => coordinator.IsTransient,
        HttpRequestException or IOException => true,
        TaskCanceledException { InnerException: TimeoutException } => true,
        _ => false,
    };

    private async Task<T> CallAsync<T>(string operation, byte[] body, Func<JsonElement, T> parse, CancellationToken ct) =>
        await _retry.ExecuteAsync(async token =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint);
            request.Headers.TryAddWithoutValidation("X-Amz-Target", StreamsWire.TargetPrefix + operation);
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(StreamsWire.ContentType);
            await SigV4RequestSigner.SignAsync(request, body, _credentials.Value, _region, SigningName, signedAt: null, token)
                .ConfigureAwait(false);
            using var response = await _http.SendAsync(request, token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var (code, message) = StreamsWire.ParseError(text);
                throw new StreamsException(code, message, response.StatusCode);
            }
            using var document = JsonDocument.Parse(text);
            return parse(document.RootElement);
        }, ct).ConfigureAwait(false);
}
