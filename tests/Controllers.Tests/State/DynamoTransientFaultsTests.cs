using System.Net;
using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Coordinator.Aws.DynamoDb;

namespace Coordinator.Controllers.Tests.State;

public sealed class DynamoTransientFaultsTests
{
    [Fact]
    public void Throttling_and_server_errors_are_transient()
    {
        Assert.True(DynamoTransientFaults.IsTransient(new ProvisionedThroughputExceededException("slow down")));
        Assert.True(DynamoTransientFaults.IsTransient(new RequestLimitExceededException("slow down")));
        Assert.True(DynamoTransientFaults.IsTransient(new InternalServerErrorException("boom")));
        Assert.True(DynamoTransientFaults.IsTransient(new AmazonDynamoDBException("x") { ErrorCode = "ThrottlingException", StatusCode = HttpStatusCode.BadRequest }));
        Assert.True(DynamoTransientFaults.IsTransient(new AmazonDynamoDBException("x") { StatusCode = HttpStatusCode.ServiceUnavailable }));
    }

    [Fact]
    public void Lost_connections_are_transient()
    {
        Assert.True(DynamoTransientFaults.IsTransient(new HttpRequestException("connection refused", new SocketException(111))));
        Assert.True(DynamoTransientFaults.IsTransient(new IOException("reset")));
        Assert.True(DynamoTransientFaults.IsTransient(new AmazonClientException("wrapped", new HttpRequestException("refused"))));
    }

    [Fact]
    public void A_failed_condition_and_bad_requests_are_not_retried()
    {
        Assert.False(DynamoTransientFaults.IsTransient(new ConditionalCheckFailedException("moved")));
        Assert.False(DynamoTransientFaults.IsTransient(new AmazonDynamoDBException("bad expression") { ErrorCode = "ValidationException", StatusCode = HttpStatusCode.BadRequest }));
        Assert.False(DynamoTransientFaults.IsTransient(new ResourceNotFoundException("no table")));
        Assert.False(DynamoTransientFaults.IsTransient(new InvalidOperationException("bug")));
    }
}
