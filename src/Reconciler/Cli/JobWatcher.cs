using Coordinator.Model.Spec;
using Coordinator.Reconciler.Cli.Output;

namespace Coordinator.Reconciler.Cli;

/// <summary>The polling loop of `coordinator watch`: read, estimate, draw, until the job's outcome is known.</summary>
public sealed class JobWatcher(CliSession session, TimeSpan interval, TimeSpan? timeout)
{
    private const string ClearLine = "\r\u001b[2K";

    public async Task<int> RunAsync(string name, CancellationToken ct)
    {
        var output = session.Output;
        var inPlace = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var estimator = new ProgressEstimator();
        var deadline = timeout is { } limit ? DateTimeOffset.UtcNow + limit : (DateTimeOffset?)null;
        string? lastKey = null;
        var first = true;
        while (true)
        {
            var job = await session.State.GetJobAsync(name, ct).ConfigureAwait(false);
            if (job is null)
            {
                if (inPlace && !first)
                {
                    await output.WriteLineAsync().ConfigureAwait(false);
                }
                throw new KeyNotFoundException(first
                    ? $"job \"{name}\" not found in {session.Options.JobsTable}"
                    : $"job \"{name}\" was deleted while being watched");
            }
            first = false;
            var now = DateTimeOffset.UtcNow;
            var batches = job.Status.Batches;
            estimator.Add(now, batches.Succeeded + batches.Failed);
            var width = TextTable.ConsoleWidth() - 1; // never the last column: a full line would wrap and break the redraw
            var line = ProgressLine.Render(job, estimator.Rate, estimator.Eta(batches.Total - batches.Succeeded - batches.Failed), width);
            if (inPlace)
            {
                await output.WriteAsync(ClearLine + line).ConfigureAwait(false);
            }
            else if (Key(job) != lastKey)
            {
                await output.WriteLineAsync($"{now.UtcDateTime:HH:mm:ss} {line}").ConfigureAwait(false);
            }
            lastKey = Key(job);
            if (WatchCommand.OutcomeExitCode(job.Status.Phase) is { } code)
            {
                if (inPlace)
                {
                    await output.WriteLineAsync().ConfigureAwait(false);
                }
                await output.WriteLineAsync(WatchCommand.Summary(job)).ConfigureAwait(false);
                return code;
            }
            if (deadline is { } end && now >= end)
            {
                if (inPlace)
                {
                    await output.WriteLineAsync().ConfigureAwait(false);
                }
                await session.Error.WriteLineAsync($"watch: job \"{name}\" is still {job.Status.Phase} after {DurationText.Format(timeout)}").ConfigureAwait(false);
                return ExitCodes.Timeout;
            }
            var wait = deadline is { } d && d - now < interval ? d - now : interval;
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, ct).ConfigureAwait(false);
        }
    }

    private static string Key(Job job) =>
        $"{job.Status.Phase}|{job.Status.Batches.Total}|{job.Status.Batches.Succeeded}|{job.Status.Batches.Failed}|{job.Status.Batches.Running}|{job.Status.Partition?.BatchesCut}";
}
