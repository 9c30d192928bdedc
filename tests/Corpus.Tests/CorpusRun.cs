using System.Diagnostics;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using Coordinator.Testing.Items;

namespace Coordinator.Corpus.Tests;

/// <summary>
/// Runs the whole corpus through ONE daemon process at once: generates every case's input objects and uploads them in
/// one `aws s3 cp --recursive`, writes every job item with `aws dynamodb batch-write-item` together with a good job,
/// runs the cases' in-flight steps concurrently, and polls (one Scan a second) until every case has settled in a final
/// phase. Then it submits a second good job with `aws dynamodb put-item` and waits for it too: the daemon must still
/// serve new work after the whole corpus. The outcomes are kept for the per-case theory.
/// </summary>
public sealed class CorpusRun : IAsyncLifetime
{
    private static readonly string[] FinalPhases = ["Invalid", "Failed", "Succeeded", "Cancelled"];
    // About 2 minutes with the machine shared by five engineers (load average 20-30); the limit leaves room for a
    // slower run, e.g. when the overloaded daemon loses its lease for a while (seen: two losses at load average 34).
    private static readonly TimeSpan CorpusLimit = TimeSpan.FromMinutes(6);
    private static readonly TimeSpan GoodJobLimit = TimeSpan.FromMinutes(2);

    public CorpusStack? Stack { get; private set; }
    public Dictionary<string, CaseContext> Contexts { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, CaseOutcome> Outcomes { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, Exception> ActFailures { get; } = new(StringComparer.Ordinal);
    public CaseOutcome? GoodAlongside { get; private set; }
    public CaseOutcome? GoodAfter { get; private set; }
    public TimeSpan CorpusElapsed { get; private set; }
    public bool DaemonAnsweredAfter { get; private set; }

    /// <summary>
    /// CORPUS_CASES=name-prefix,… runs only the matching cases (for working on a few); unset runs the whole corpus.
    /// </summary>
    public static IReadOnlyList<CorpusCase> Selected { get; } = Environment.GetEnvironmentVariable("CORPUS_CASES") is { Length: > 0 } filter
        ? [.. CorpusCatalog.All.Where(c => filter.Split(',').Any(p => c.Name.StartsWith(p.Trim(), StringComparison.Ordinal)))]
        : CorpusCatalog.All;

    public async Task InitializeAsync()
    {
        if (CorpusStack.Unavailable is not null)
        {
            return;
        }
        Stack = new CorpusStack();
        await Stack.StartAsync();
        var clock = Stopwatch.StartNew();

        var upload = Path.Combine(Stack.Work, "upload");
        Directory.CreateDirectory(upload);
        var items = new List<JsonObject>();
        var extras = new List<JsonObject>();
        foreach (var @case in Selected)
        {
            var job = @case.JobName?.Replace("{suffix}", Stack.Suffix, StringComparison.Ordinal) ?? $"{@case.Name}-{Stack.Suffix}";
            var context = new CaseContext(job, Stack.Bucket, Stack.Work);
            Contexts[@case.Name] = context;
            var inputs = @case.Inputs?.Invoke(context) ?? Inputs.One(context, "part-0.jsonl", JobItems.Jsonl(20));
            foreach (var (key, content) in inputs)
            {
                var file = Path.Combine(upload, key);
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                await File.WriteAllBytesAsync(file, content);
            }
            extras.AddRange(@case.ExtraItems?.Invoke(context) ?? []);
            var item = CaseItems.Base(context);
            @case.Item?.Invoke(item, context);
            item["name"] = JobItems.S(job);
            items.Add(item);
        }
        var good = new CaseContext($"good-alongside-{Stack.Suffix}", Stack.Bucket, Stack.Work);
        await File.WriteAllBytesAsync(Directory.CreateDirectory(Path.Combine(upload, good.InputPrefix)).FullName + "/part-0.jsonl", JobItems.Jsonl(50));
        items.Insert(items.Count / 2, CaseItems.Base(good));
        await Stack.UploadTreeAsync(upload);
        if (extras.Count > 0)
        {
            await Stack.BatchWriteItemsAsync(extras);
        }
        await Stack.BatchWriteItemsAsync(items);

        var acts = Selected.Where(c => c.Act is not null).Select(async c =>
        {
            try
            {
                await c.Act!(Stack, Contexts[c.Name]);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                lock (ActFailures)
                {
                    ActFailures[c.Name] = e;
                }
            }
        }).ToList();

        var jobs = Contexts.ToDictionary(p => p.Value.Job, p => p.Key, StringComparer.Ordinal);
        Dictionary<string, Dictionary<string, AttributeValue>> last = [];
        while (clock.Elapsed < CorpusLimit && Stack.DaemonExitCode is null)
        {
            last = await Stack.ScanJobsAsync();
            foreach (var (job, name) in jobs)
            {
                if (!Outcomes.ContainsKey(name) && last.TryGetValue(job, out var item) && FinalPhases.Contains(new CaseOutcome(item, null).Phase))
                {
                    Outcomes[name] = new CaseOutcome(item, clock.Elapsed);
                }
            }
            if (Outcomes.Count == jobs.Count && last.TryGetValue(good.Job, out var g) && FinalPhases.Contains(new CaseOutcome(g, null).Phase))
            {
                break;
            }
            await Task.Delay(1000);
        }
        CorpusElapsed = clock.Elapsed;
        foreach (var (job, name) in jobs)
        {
            if (!Outcomes.ContainsKey(name))
            {
                Outcomes[name] = new CaseOutcome(last.GetValueOrDefault(job), null); // never settled: the theory reports it
            }
        }
        GoodAlongside = new CaseOutcome(last.GetValueOrDefault(good.Job), null);
        await Task.WhenAll(acts);

        if (Stack.DaemonExitCode is null)
        {
            var after = new CaseContext($"good-after-{Stack.Suffix}", Stack.Bucket, Stack.Work);
            var file = Path.Combine(Stack.Work, "good-after.jsonl");
            await File.WriteAllBytesAsync(file, JobItems.Jsonl(30));
            await Stack.UploadFileAsync(file, after.InputPrefix + "part-0.jsonl");
            await Stack.PutItemAsync(CaseItems.Base(after));
            try
            {
                await Stack.WaitForJobAsync(after.Job, GoodJobLimit, i => FinalPhases.Contains(new CaseOutcome(i, null).Phase));
            }
            catch (TimeoutException)
            {
                // reported by the test through GoodAfter's phase
            }
            GoodAfter = new CaseOutcome(await Stack.GetJobAsync(after.Job), null);
        }
        DaemonAnsweredAfter = await Stack.DaemonAnswersAsync();
    }

    public async Task DisposeAsync()
    {
        if (Stack is not null)
        {
            // Kept beside the test assembly for diagnosis (the TRX has only the assertion messages).
            await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "corpus-daemon.log"), Stack.DaemonLog);
            await Stack.DisposeAsync();
        }
    }
}
