using Coordinator.Data.Layout;
using Coordinator.Model.Spec;
using Coordinator.Model.Validation;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Every object key and file path a job writes is built by <see cref="JobLayout"/> from the job name, generation and
/// batch index (and, for results, the attempt: each attempt has its own result object). For random valid names and any index or generation, every key must stay under
/// {root}/jobs/{name}/{generation}/ with no ".." segment, on S3 and on a file:// root, and must not be normalised
/// away by Uri parsing.
/// </summary>
public sealed class KeyContainmentTests
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-";

    [Theory]
    [InlineData("s3://bucket")]
    [InlineData("s3://bucket/deep/root/")]
    [InlineData("file:///srv/coordinator/data/")]
    public void Keys_of_any_valid_job_name_generation_and_index_stay_inside_the_jobs_prefix(string root)
    {
        var random = new Random(ChaosMode.Seed);
        int[] edgeIndexes = [0, 1, 999_999, 1_000_000, int.MaxValue];
        for (var n = 0; n < 2000; n++)
        {
            var name = new string(Enumerable.Range(0, random.Next(1, 64)).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray()).Trim('-');
            name = name.Length == 0 ? "a" : name; // a DNS label: no '-' at either end
            Assert.Null(NameRules.Check(name));
            var generation = random.Next(2) == 0 ? random.NextInt64(1, long.MaxValue) : random.Next(1, 10);
            var layout = new JobLayout(new Uri(root), name, generation);
            var prefix = $"{root.TrimEnd('/')}/jobs/{name}/{generation}/";
            Assert.Equal(prefix, layout.Prefix.ToString());
            var index = n < edgeIndexes.Length ? edgeIndexes[n] : random.Next(0, int.MaxValue);
            foreach (var format in new[] { InputFormat.Jsonl, InputFormat.Csv, InputFormat.Parquet })
            {
                AssertInside(prefix, layout.Batch(index, format));
                var attempt = n < edgeIndexes.Length ? edgeIndexes[n] : random.Next(1, int.MaxValue);
                AssertInside(prefix, layout.Result(index, attempt, format));
            }
            AssertInside(prefix, layout.TaskManifest(index));
            AssertInside(prefix, layout.Manifest);
            AssertInside(prefix, layout.FinalManifest);
        }
    }

    private static void AssertInside(string prefix, Uri key)
    {
        var text = key.ToString();
        Assert.StartsWith(prefix, text, StringComparison.Ordinal);
        Assert.DoesNotContain("/../", text, StringComparison.Ordinal);
        Assert.DoesNotContain("/./", text, StringComparison.Ordinal);
        Assert.Matches(@"^((batches|tasks)/[0-9]{6,}\.(jsonl|csv|parquet|json)|results/[0-9]{6,}\.a[0-9]+\.(jsonl|csv|parquet)|(final-)?manifest\.json)\z", text[prefix.Length..]);
    }
}
