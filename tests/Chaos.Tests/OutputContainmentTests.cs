using Amazon.S3.Model;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Issue 16 hole 2: a job's output may not point into the coordinator's own data prefix (s3://{bucket}/jobs/…, where
/// other jobs' batches and results live). On the real stack, a job whose output is s3://{bucket}/jobs/{other}/ (also
/// spelt with a percent-escape and a doubled slash, which S3 reads as the same key) is Invalid with a message naming
/// spec.output.uri and the data root, and writes nothing there; a job writing beside it (s3://{bucket}/out/) runs.
/// </summary>
public sealed class OutputContainmentTests
{
    [SkippableFact]
    public async Task An_output_inside_the_data_roots_jobs_prefix_is_refused_naming_the_data_root()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        await using var stack = new ChaosStack("outbox");
        await stack.InitAsync();
        stack.StartDaemon("daemon");

        var good = stack.JobName("good");
        await ChaosJobs.SubmitAsync(stack, good, ChaosJobs.Records(good, 2, new Random(ChaosMode.Seed)), maxRecords: 10);
        var outputs = new Dictionary<string, string>
        {
            [stack.JobName("plain")] = $"s3://{stack.Bucket}/jobs/{good}/",
            [stack.JobName("escaped")] = $"s3://{stack.Bucket}/%6Aobs/{good}/1/results/",
            [stack.JobName("doubled")] = $"s3://{stack.Bucket}//jobs/{good}/",
        };
        foreach (var (job, uri) in outputs)
        {
            await ChaosJobs.SubmitAsync(stack, job, ChaosJobs.Records(job, 2, new Random(ChaosMode.Seed)), maxRecords: 10,
                spec => spec["output"]!["M"]!["uri"] = S(uri));
        }

        var finals = await stack.WaitForAllAsync([good, .. outputs.Keys], TimeSpan.FromMinutes(3), ["Succeeded", "Failed", "Invalid"]);

        Assert.True(ChaosStack.Phase(finals[good]) == "Succeeded", ChaosStack.Describe(finals[good]));
        foreach (var (job, uri) in outputs)
        {
            Assert.True(ChaosStack.Phase(finals[job]) == "Invalid", $"{job} ({uri}): {ChaosStack.Describe(finals[job])}");
            Assert.Contains($"spec.output.uri: {uri} is inside the coordinator's data root (s3://{stack.Bucket}/jobs/)",
                ChaosStack.Text(finals[job], "message"), StringComparison.Ordinal);
        }
        var keys = ((await stack.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = stack.Bucket, Prefix = $"jobs/{good}/" })).S3Objects ?? [])
            .Select(o => o.Key).ToList();
        // Only the good job's own objects: no output or output manifest of the refused jobs landed among them.
        Assert.DoesNotContain(keys, k => k.EndsWith("output.jsonl", StringComparison.Ordinal)
            || k == $"jobs/{good}/manifest.json" || k == $"jobs/{good}/1/results/manifest.json");
    }
}
