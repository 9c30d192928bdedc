using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Coordinator.Aws.S3;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// The output probe (a multipart upload started, then aborted) on S3 whose answer to the abort is lost after the abort
/// took effect: the SDK's retry meets NoSuchUpload. The upload is gone, which is what the abort was for, so the probe
/// succeeds; before, the job failed "cannot write the job's output … no such object while aborting the probe upload"
/// (seen in AwsFaultTests on CI).
/// </summary>
public sealed class ProbeAbortReplyLostTests
{
    [SkippableFact]
    public async Task An_abort_whose_reply_was_lost_and_whose_retry_finds_no_upload_is_a_successful_probe()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        await using var stack = new ChaosStack("probe");
        await stack.S3.PutBucketAsync(stack.Bucket);
        await using var proxy = new FaultProxy(new Uri(stack.Endpoint), rate: 0, seed: 1);
        var aborts = 0;
        proxy.Aim = request => request.StartLine.StartsWith("DELETE ", StringComparison.Ordinal)
            && request.StartLine.Contains("uploadId=", StringComparison.Ordinal)
            && Interlocked.Increment(ref aborts) == 1
                ? FaultKind.ResetAfter
                : null;
        using var s3 = new AmazonS3Client(new BasicAWSCredentials("test", "test"),
            new AmazonS3Config { ServiceURL = proxy.Url, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        var output = new Uri($"s3://{stack.Bucket}/out/probe/output.jsonl");

        await new S3ObjectStore(s3).ProbeWriteAsync(output, CancellationToken.None);

        Assert.Equal(2, Volatile.Read(ref aborts));
        var uploads = await stack.S3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = stack.Bucket });
        Assert.Empty(uploads.MultipartUploads ?? []);
    }
}
