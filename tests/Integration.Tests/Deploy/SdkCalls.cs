using System.Reflection;
using System.Text.RegularExpressions;
using Amazon.DynamoDBv2;
using Amazon.S3;
using Coordinator.Testing;

namespace Coordinator.Integration.Tests.Deploy;

/// <summary>
/// The AWS calls the code makes, found in src/ the way a reviewer would grep them: a method of the SDK's DynamoDB
/// or S3 client interface called as ".NameAsync(", and our own DynamoDB Streams client's wire
/// operations (CallAsync("Op", …)). Each maps to the IAM action that authorises it; a call with no mapping fails the
/// test, so a new SDK call cannot slip past the policies.
/// </summary>
internal static partial class SdkCalls
{
    /// <summary>SDK method (without Async) → IAM action. S3's multipart and HEAD calls are authorised by the object actions.</summary>
    public static readonly IReadOnlyDictionary<string, string> IamActionOf = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["GetItem"] = "dynamodb:GetItem",
        ["PutItem"] = "dynamodb:PutItem",
        ["UpdateItem"] = "dynamodb:UpdateItem",
        ["DeleteItem"] = "dynamodb:DeleteItem",
        ["Query"] = "dynamodb:Query",
        ["Scan"] = "dynamodb:Scan",
        ["BatchWriteItem"] = "dynamodb:BatchWriteItem",
        ["BatchGetItem"] = "dynamodb:BatchGetItem",
        ["CreateTable"] = "dynamodb:CreateTable",
        ["DescribeTable"] = "dynamodb:DescribeTable",
        ["UpdateTable"] = "dynamodb:UpdateTable",
        ["DeleteTable"] = "dynamodb:DeleteTable",
        ["ListStreams"] = "dynamodb:ListStreams",
        ["DescribeStream"] = "dynamodb:DescribeStream",
        ["GetShardIterator"] = "dynamodb:GetShardIterator",
        ["GetRecords"] = "dynamodb:GetRecords",
        ["GetObject"] = "s3:GetObject",
        ["GetObjectMetadata"] = "s3:GetObject",
        ["PutObject"] = "s3:PutObject",
        ["InitiateMultipartUpload"] = "s3:PutObject",
        ["UploadPart"] = "s3:PutObject",
        ["CompleteMultipartUpload"] = "s3:PutObject",
        ["CopyPart"] = "s3:PutObject", // UploadPartCopy: PutObject on the target, GetObject on the source (also granted)
        ["AbortMultipartUpload"] = "s3:AbortMultipartUpload",
        ["DeleteObject"] = "s3:DeleteObject",
        ["DeleteObjects"] = "s3:DeleteObject",
        ["ListObjectsV2"] = "s3:ListBucket",
        ["HeadBucket"] = "s3:ListBucket",
        ["PutBucket"] = "s3:CreateBucket",
        ["DeleteBucket"] = "s3:DeleteBucket",
    };

    private static readonly HashSet<string> SdkMethods = [.. new[] { typeof(IAmazonDynamoDB), typeof(IAmazonS3) }
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance))
        .Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal))
        .Select(m => m.Name[..^"Async".Length])];

    /// <summary>Every SDK operation called in src/, with one file that calls it.</summary>
    public static IReadOnlyDictionary<string, string> Find()
    {
        var found = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in RepoFiles.Sources())
        {
            var text = File.ReadAllText(file);
            var relative = System.IO.Path.GetRelativePath(RepoFiles.Root, file);
            if (text.Contains("using Amazon.", StringComparison.Ordinal))
            {
                foreach (Match call in MethodCall().Matches(text))
                {
                    if (SdkMethods.Contains(call.Groups[1].Value))
                    {
                        found.TryAdd(call.Groups[1].Value, relative);
                    }
                }
            }
            foreach (Match call in WireCall().Matches(text))
            {
                found.TryAdd(call.Groups[1].Value, relative);
            }
        }
        return found;
    }

    [GeneratedRegex(@"\.([A-Z][A-Za-z0-9]+)Async\(")]
    private static partial Regex MethodCall();

    [GeneratedRegex(@"CallAsync\(""([A-Za-z]+)""")]
    private static partial Regex WireCall();
}
