using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Small jobs for chaos: random JSONL records, a `cat` handler (output = input, record for record), short retry
/// backoff, array mode unless edited. The records are kept so the output can be compared line by line by sha256.
/// </summary>
internal static class ChaosJobs
{
    /// <summary>JSONL records with a random payload: every record distinct, so a lost or doubled one shows.</summary>
    public static string[] Records(string job, int count, Random random) => Enumerable.Range(0, count)
        .Select(i => $"{{\"id\": {i}, \"job\": \"{job}\", \"payload\": \"{Convert.ToHexString(Bytes(random, 12))}\"}}")
        .ToArray();

    /// <summary>Uploads the records as in/{job}/part-0.jsonl and puts the job item.</summary>
    public static async Task SubmitAsync(ChaosStack stack, string job, string[] records, int maxRecords, Action<JsonObject>? edit = null)
    {
        await stack.PutObjectAsync($"in/{job}/part-0.jsonl", string.Concat(records.Select(r => r + "\n")));
        await stack.PutJobAsync(Item(job, stack.Bucket, maxRecords, edit));
    }

    public static string Item(string job, string bucket, int maxRecords, Action<JsonObject>? edit = null) => Wordcount(job, bucket, spec =>
    {
        spec["handler"]!["M"]!["command"] = L(S("cat"));
        spec["handler"]!["M"]!.AsObject().Remove("env");
        spec["batching"]!["M"]!["maxRecords"] = N(maxRecords);
        spec["retry"]!["M"]!["backoff"] = M(("base", S("1s")), ("max", S("2s")));
        edit?.Invoke(spec);
    });

    /// <summary>
    /// Asserts the job's output object holds exactly its input records, in order, comparing each line's sha256, and
    /// that the status counts agree. Returns the number of records compared.
    /// </summary>
    public static async Task<int> AssertOutputEqualsInputAsync(ChaosStack stack, string job, string[] records, Dictionary<string, AttributeValue> status)
    {
        var uri = ChaosStack.Text(status["output"].M, "uri");
        var lines = (await stack.ReadAsync(uri)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == records.Length, $"{job}: {lines.Length} output records for {records.Length} input records");
        for (var i = 0; i < records.Length; i++)
        {
            Assert.True(Sha256(lines[i]) == Sha256(records[i]), $"{job}: output record {i} differs from input record {i}: {lines[i]} vs {records[i]}");
        }
        Assert.Equal((records.Length, records.Length),
            ((int)ChaosStack.Count(status, "records", "input"), (int)ChaosStack.Count(status, "records", "output")));
        return records.Length;
    }

    public static string Sha256(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
