using System.Net;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Amazon.S3.Model;
using Coordinator.Aws.Provisioning;
using Coordinator.Controllers.Configuration;

namespace Coordinator.Testing.Provisioning;

/// <summary>
/// Deletes what <see cref="StackProvisioner.EnsureAsync"/> made: the tables, and an s3:// data root's bucket with
/// every object in it. Test fixtures only: the product never deletes tables or buckets, so the admin policy
/// (deploy/iam/admin-policy.json) grants neither DeleteTable nor DeleteBucket.
/// </summary>
public static class StackTeardown
{
    public static async Task<IReadOnlyList<ProvisioningStep>> DeleteAsync(
        IAmazonDynamoDB dynamoDb, IAmazonS3 s3, CoordinatorOptions options, CancellationToken ct)
    {
        var steps = new List<ProvisioningStep>();
        foreach (var table in StackLayout.Tables(options))
        {
            steps.Add(new ProvisioningStep("table", table.Name, await DeleteTableAsync(dynamoDb, table.Name, ct)));
        }
        // A file:// data root is a shared filesystem directory that may hold other data: never deleted here.
        var root = options.DataRootUri;
        if (root.Scheme == "s3")
        {
            steps.Add(new ProvisioningStep("bucket", root.Host, await DeleteBucketAsync(s3, root.Host, ct)));
        }
        return steps;
    }

    private static async Task<ProvisioningAction> DeleteTableAsync(IAmazonDynamoDB dynamoDb, string table, CancellationToken ct)
    {
        try
        {
            await dynamoDb.DeleteTableAsync(table, ct);
            return ProvisioningAction.Deleted;
        }
        catch (ResourceNotFoundException)
        {
            return ProvisioningAction.NotFound;
        }
    }

    private static async Task<ProvisioningAction> DeleteBucketAsync(IAmazonS3 s3, string bucket, CancellationToken ct)
    {
        try
        {
            var request = new ListObjectsV2Request { BucketName = bucket };
            ListObjectsV2Response page;
            do
            {
                page = await s3.ListObjectsV2Async(request, ct);
                if (page.S3Objects is { Count: > 0 } objects)
                {
                    await s3.DeleteObjectsAsync(new DeleteObjectsRequest
                    {
                        BucketName = bucket,
                        Objects = [.. objects.Select(o => new KeyVersion { Key = o.Key })],
                    }, ct);
                }
                request.ContinuationToken = page.NextContinuationToken;
            }
            while (page.IsTruncated == true);
            await s3.DeleteBucketAsync(bucket, ct);
            return ProvisioningAction.Deleted;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return ProvisioningAction.NotFound;
        }
    }
}
