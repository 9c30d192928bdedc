namespace Coordinator.Corpus.Tests;

/// <summary>
/// The bad-input corpus at daemon level: every case is a job item put into DynamoDB the way users do it, all at once,
/// served by one `coordinator daemon` process on the real stack (moto + Slurm). Each case must end in its phase with
/// its exact status.message, and the daemon must keep serving good jobs alongside and after the corpus.
/// </summary>
[Collection("Corpus")]
public sealed class CorpusTests(CorpusRun run) : IClassFixture<CorpusRun>
{
    public static TheoryData<string> CaseNames
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var c in CorpusCatalog.All)
            {
                data.Add(c.Name);
            }
            return data;
        }
    }

    private CorpusStack Stack
    {
        get
        {
            Skip.If(CorpusStack.Unavailable is not null, CorpusStack.Unavailable);
            return run.Stack!;
        }
    }

    [SkippableTheory]
    [MemberData(nameof(CaseNames))]
    public async Task BadInput_EndsInItsPhaseWithItsExactMessage(string name)
    {
        var stack = Stack;
        var @case = CorpusCatalog.Get(name);
        Skip.If(!CorpusRun.Selected.Contains(@case), "not selected by CORPUS_CASES");
        var context = run.Contexts[name];
        Assert.False(run.ActFailures.TryGetValue(name, out var actFailure), $"the case's in-flight step failed: {actFailure}");
        var outcome = run.Outcomes[name];
        Assert.True(outcome.SettledAfter is not null, $"{name}: never reached a final phase within the run; last seen: {outcome}");
        var expected = context.Expand(@case.Message);
        Assert.True(outcome.Phase == @case.Phase && MessagePattern.Matches(expected, outcome.Message),
            $"{name}:\nexpected phase {@case.Phase}, message\n  {expected}\nactual {outcome}");
        if (@case.Verify is { } verify)
        {
            await verify(stack, context, outcome);
        }
    }

    [SkippableFact]
    public async Task WholeCorpusAtOnce_OneDaemonSettlesEveryCaseStaysAliveAndServesGoodJobs()
    {
        var stack = Stack;
        Skip.If(CorpusRun.Selected.Count != CorpusCatalog.All.Count, "CORPUS_CASES selects part of the corpus");
        var categories = CorpusCatalog.All.GroupBy(c => c.Category).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(CorpusCatalog.All.Count >= 60, $"the corpus has {CorpusCatalog.All.Count} cases");
        Assert.Equal(CorpusCatalog.All.Count, CorpusCatalog.All.Select(c => c.Name).Distinct().Count());
        Assert.Equal(["csv", "handler", "item-types", "object-store", "parquet", "records", "scheduler", "spec", "yaml"], categories.Keys.Order());

        var unsettled = run.Outcomes.Where(o => o.Value.SettledAfter is null).Select(o => o.Key).ToList();
        Assert.True(unsettled.Count == 0, $"never settled: {string.Join(", ", unsettled)}");
        Assert.True(stack.DaemonExitCode is null, $"the daemon exited ({stack.DaemonExitCode}):\n{Tail(stack.DaemonLog)}");
        Assert.True(run.DaemonAnsweredAfter, "the daemon did not answer on its metrics endpoint after the corpus");
        Assert.True(run.GoodAlongside?.Phase == "Succeeded", $"the good job submitted with the corpus: {run.GoodAlongside}");
        Assert.True(run.GoodAfter?.Phase == "Succeeded", $"the good job submitted after the corpus: {run.GoodAfter}");
        Assert.Equal("50", CaseOutcome.Text(run.GoodAlongside.Status!["records"].M, "output"));
        Assert.Equal("30", CaseOutcome.Text(run.GoodAfter.Status!["records"].M, "output"));
        // An exception that escapes a controller is retried with backoff, forever if it is not transient: that is the
        // signature of a bad input the daemon does not handle (the job never gets a status). A transient fault under
        // load may fail a reconcile once or twice; four failures in a row for one job is a loop.
        var looping = stack.DaemonLog.Split('\n')
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"Reconcile of job (\S+) failed \(retry (\d+)\)"))
            .Where(m => m.Success && int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) >= 4)
            .Select(m => m.Value).ToList();
        Assert.True(looping.Count == 0, $"reconciles kept failing with an exception:\n{string.Join("\n", looping.Take(20))}");
        await Task.CompletedTask;
    }

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;
}
