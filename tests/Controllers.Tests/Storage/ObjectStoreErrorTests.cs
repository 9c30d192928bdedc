using System.Net;
using Amazon.S3;
using Coordinator.Aws.S3;
using Coordinator.Data.Formats;
using Coordinator.Data.Partitioning;
using Coordinator.Data.Storage;

namespace Coordinator.Controllers.Tests.Storage;

public sealed class ObjectStoreErrorTests
{
    private static readonly Uri Input = new("s3://bucket/in/data.jsonl");

    [Fact]
    public void S3_access_denied_and_no_such_key_map_to_errors_naming_the_uri()
    {
        var denied = S3ObjectStore.Translate(Input, new AmazonS3Exception("Access Denied") { ErrorCode = "AccessDenied", StatusCode = HttpStatusCode.Forbidden }, "reading object");
        Assert.Equal(ObjectStoreErrorKind.AccessDenied, denied.Kind);
        Assert.Contains("s3://bucket/in/data.jsonl", denied.Message);
        Assert.True(denied.IsPermanent);

        var missing = S3ObjectStore.Translate(Input, new AmazonS3Exception("gone") { ErrorCode = "NoSuchKey", StatusCode = HttpStatusCode.NotFound }, "reading object");
        Assert.Equal(ObjectStoreErrorKind.NotFound, missing.Kind);

        var throttled = S3ObjectStore.Translate(Input, new AmazonS3Exception("slow down") { ErrorCode = "SlowDown", StatusCode = HttpStatusCode.ServiceUnavailable }, "reading object");
        Assert.False(throttled.IsPermanent);
    }

    [Fact]
    public async Task Access_denied_on_the_input_becomes_an_input_error_with_reason_access_denied()
    {
        var e = await Assert.ThrowsAsync<InputFormatException>(() => InputResolver.ResolveAsync(new DeniedStore(), Input, CancellationToken.None));
        Assert.Equal(InputErrorReasons.AccessDenied, e.Reason);
        Assert.Contains("data.jsonl", e.Message);
    }

    /// <summary>A store whose every call is refused, as S3 does for credentials without s3:GetObject/ListBucket.</summary>
    private sealed class DeniedStore : IObjectStore
    {
        private static ObjectStoreException Denied(Uri uri) => new(uri, ObjectStoreErrorKind.AccessDenied, "access denied");
        public Task<ObjectInfo?> HeadAsync(Uri uri, CancellationToken ct) => throw Denied(uri);
        public IAsyncEnumerable<ObjectInfo> ListAsync(Uri prefix, CancellationToken ct) => throw Denied(prefix);
        public Task<Stream> OpenReadAsync(Uri uri, CancellationToken ct, long offset = 0, long? length = null) => throw Denied(uri);
        public Task<IObjectWriter> OpenWriteAsync(Uri uri, CancellationToken ct) => throw Denied(uri);
        public Task DeleteAsync(Uri uri, CancellationToken ct) => throw Denied(uri);
    }
}
