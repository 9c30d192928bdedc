using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.EndToEnd.Tests;

/// <summary>
/// Spec edits made as a user makes them, with `aws dynamodb update-item` on the job item, while the daemon runs the
/// job on real Slurm (issue 14, defect 1): the new generation's output holds every record of its input exactly once,
/// its counts add up, and nothing of the old generation is left to leak into it (no task items beyond the new
/// manifest, no objects under the old generation's prefix).
/// </summary>
[Collection("EndToEnd")]
public sealed class SpecEditTests(E2eStackFixture fixture) : IClassFixture<E2eStackFixture>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    private E2eStack Stack
    {
        get
        {
            Skip.If(E2eStack.Unavailable is not null, E2eStack.Unavailable);
            return fixture.Stack!;
        }
    }

    private static string Name(string what) => $"e2e-{what}-{Guid.NewGuid().ToString("N")[..6]}";

    [SkippableFact]
    public async Task Editing_a_finished_jobs_batching_from_ten_to_four_batches_gives_every_record_once_and_leaves_nothing_of_generation_one()
    {
        var stack = Stack;
        var name = Name("edit10to4");
        await stack.UploadAsync($"in/{name}/part-0.jsonl", WordcountInput(100));
        await stack.PutItemAsync(Wordcount(name, stack.Bucket, spec =>
        {
            spec["batching"]!["M"]!["maxRecords"] = N(10);
            spec["handler"]!["M"]!["command"] = L(S("cat"));
        }));
        var first = await stack.WaitForPhaseAsync(name, Limit, "Succeeded", "Failed");
        Assert.True(E2eStack.Phase(first) == "Succeeded", first.ToString());
        Assert.Equal(10, E2eStack.Count(first, "batches", "total"));
        Assert.Equal(10, (await TaskItemsAsync(stack, name)).Count);

        await UpdateSpecAsync(stack, name, "SET #spec.#batching.#maxRecords = :n", ("#batching", "batching"), ("#maxRecords", "maxRecords"), (":n", N(25)));

        var status = await WaitForGenerationAsync(stack, name, 2);
        Assert.True(E2eStack.Phase(status) == "Succeeded", status.ToString());
        Assert.Equal(4, E2eStack.Count(status, "batches", "total"));
        Assert.Equal(4, E2eStack.Count(status, "batches", "succeeded"));
        Assert.Equal((100, 100, 0), (E2eStack.Count(status, "records", "input"), E2eStack.Count(status, "records", "output"), E2eStack.Count(status, "records", "failed")));
        await AssertOutputIsAsync(stack, status, Enumerable.Range(0, 100));

        var items = await TaskItemsAsync(stack, name);
        Assert.Equal([(0, 2L), (1, 2L), (2, 2L), (3, 2L)], items);
        var generationOne = await ObjectKeysAsync(stack, $"jobs/{name}/1/");
        Assert.True(generationOne.Count == 0, "generation 1's objects are still there: " + string.Join(", ", generationOne));
        Assert.NotEmpty(await ObjectKeysAsync(stack, $"jobs/{name}/2/"));
    }

    [SkippableFact]
    public async Task Editing_a_running_jobs_input_gives_exactly_the_new_inputs_records_once()
    {
        var stack = Stack;
        var name = Name("editinput");
        await stack.UploadAsync($"in/{name}/part-0.jsonl", WordcountInput(100));
        await stack.UploadAsync($"in/{name}-v2/part-0.jsonl", WordcountInput(60, from: 1000));
        // Ten batches, one at a time, a second each: the edit lands while generation 1 has batches running and pending.
        await stack.PutItemAsync(Wordcount(name, stack.Bucket, spec =>
        {
            spec["batching"]!["M"]!["maxRecords"] = N(10);
            spec["handler"]!["M"]!["command"] = L(S("python3"), S("-c"), S("import sys, time\ntime.sleep(1)\nsys.stdout.write(sys.stdin.read())"));
            spec["slurm"]!["M"]!["maxConcurrent"] = N(1);
        }));
        await WaitForSucceededBatchesAsync(stack, name, 1);

        await UpdateSpecAsync(stack, name, "SET #spec.#input.#uri = :uri", ("#input", "input"), ("#uri", "uri"), (":uri", S($"s3://{stack.Bucket}/in/{name}-v2/")));

        var status = await WaitForGenerationAsync(stack, name, 2);
        Assert.True(E2eStack.Phase(status) == "Succeeded", status.ToString());
        Assert.Equal((6, 6), (E2eStack.Count(status, "batches", "total"), E2eStack.Count(status, "batches", "succeeded")));
        Assert.Equal((60, 60, 0), (E2eStack.Count(status, "records", "input"), E2eStack.Count(status, "records", "output"), E2eStack.Count(status, "records", "failed")));
        await AssertOutputIsAsync(stack, status, Enumerable.Range(1000, 60));
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (i, 2L)), await TaskItemsAsync(stack, name));
    }

    /// <summary>The output object, record by record: exactly <paramref name="ids"/> in order, each once.</summary>
    private static async Task AssertOutputIsAsync(E2eStack stack, JsonElement status, IEnumerable<int> ids)
    {
        var output = await stack.DownloadAsync(E2eStack.Text(status.GetProperty("output").GetProperty("M"), "uri"));
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ids, lines.Select(l => JsonNode.Parse(l)!["id"]!.GetValue<int>()));
    }

    /// <summary>`aws dynamodb update-item` on the job's spec, as a user edits it (no version condition: a user's edit).</summary>
    private static async Task UpdateSpecAsync(E2eStack stack, string name, string expression, params (string Name, object Value)[] parts)
    {
        var names = new JsonObject { ["#spec"] = "spec" };
        var values = new JsonObject();
        foreach (var (key, value) in parts)
        {
            if (key.StartsWith('#'))
            {
                names[key] = (string)value;
            }
            else
            {
                values[key] = ((JsonObject)value).DeepClone();
            }
        }
        var result = await stack.AwsAsync("dynamodb", "update-item", "--table-name", stack.JobsTable,
            "--key", $"{{\"name\": {{\"S\": \"{name}\"}}}}", "--update-expression", expression,
            "--expression-attribute-names", names.ToJsonString(), "--expression-attribute-values", values.ToJsonString());
        result.EnsureSuccess("aws dynamodb update-item");
    }

    /// <summary>Polls get-item until the daemon has observed <paramref name="generation"/> and the job is finished.</summary>
    private static async Task<JsonElement> WaitForGenerationAsync(E2eStack stack, string name, long generation)
    {
        var deadline = DateTime.UtcNow + Limit;
        JsonElement? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await stack.StatusAsync(name);
            if (last is { } status && long.TryParse(E2eStack.Text(status, "observedGeneration"), NumberStyles.None, CultureInfo.InvariantCulture, out var observed)
                && observed >= generation && E2eStack.Phase(status) is "Succeeded" or "Failed" or "Invalid")
            {
                return status;
            }
            await Task.Delay(1000);
        }
        throw new TimeoutException($"job {name} did not finish generation {generation}; last status {last}\n{stack.DaemonLog}");
    }

    private static async Task WaitForSucceededBatchesAsync(E2eStack stack, string name, long count)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (DateTime.UtcNow < deadline)
        {
            if (await stack.StatusAsync(name) is { } status && status.TryGetProperty("batches", out _) && E2eStack.Count(status, "batches", "succeeded") >= count)
            {
                return;
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"job {name} never had {count} succeeded batch(es)\n{stack.DaemonLog}");
    }

    /// <summary>`aws dynamodb query` of the job's task items: (index, generation) in index order.</summary>
    private static async Task<List<(int Index, long Generation)>> TaskItemsAsync(E2eStack stack, string name)
    {
        var result = await stack.AwsAsync("dynamodb", "query", "--table-name", stack.TasksTable, "--consistent-read",
            "--key-condition-expression", "#job = :job", "--expression-attribute-names", "{\"#job\": \"job\"}",
            "--expression-attribute-values", $"{{\":job\": {{\"S\": \"{name}\"}}}}", "--output", "json");
        result.EnsureSuccess("aws dynamodb query");
        using var document = JsonDocument.Parse(result.StandardOutput);
        return [.. document.RootElement.GetProperty("Items").EnumerateArray().Select(item => (
            int.Parse(item.GetProperty("index").GetProperty("N").GetString()!, CultureInfo.InvariantCulture),
            long.Parse(item.GetProperty("generation").GetProperty("N").GetString()!, CultureInfo.InvariantCulture)))];
    }

    /// <summary>`aws s3 ls --recursive` under a prefix of the test bucket: the keys.</summary>
    private static async Task<List<string>> ObjectKeysAsync(E2eStack stack, string prefix)
    {
        var result = await stack.AwsAsync("s3", "ls", "--recursive", $"s3://{stack.Bucket}/{prefix}");
        // `aws s3 ls` exits 1 when nothing matches.
        return [.. result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries)[^1])];
    }
}
