using System.Diagnostics;
using Coordinator.Model.Spec;

namespace Coordinator.Worker.Handlers;

/// <summary>
/// Runs the user's handler from its argv — never through a shell — with the minimal environment of
/// <see cref="HandlerEnvironment"/>. In stdio mode the batch streams in on stdin and stdout streams to the output
/// file, so neither is ever held in memory; stderr keeps only its tail. A timeout or a disruption sends SIGTERM,
/// waits the grace period, then kills the whole process tree.
/// <para>
/// Each handler starts as the leader of a session and process group of its own, through util-linux
/// <c>setsid --wait -- argv…</c>: .NET's Process cannot call setsid() between fork and exec, and setsid, not being a
/// group leader when .NET starts it, calls setsid() and execs the handler in place, so the pid .NET waits on is the
/// handler's. Whatever the handler leaves running when it exits or is stopped — a background child, a child in a
/// session of its own (<see cref="HandlerLeftovers"/>) — gets SIGTERM, then SIGKILL after the grace period, because
/// such a child keeps the stdout/stderr pipes open, and before this the worker waited on them forever (issue 15,
/// path 4). The wait for the pipes after that is bounded too (<see cref="WorkerOptions.PipeDrainTimeout"/>).
/// </para>
/// </summary>
public sealed class HandlerRunner(WorkerOptions options)
{
    /// <summary>Exit status of a process killed by SIGTERM, as .NET reports it (128 + signal 15).</summary>
    private const int KilledBySigterm = 128 + 15;

    /// <summary>
    /// How long a handler that died of SIGTERM waits for the worker's own SIGTERM. `scancel` and Slurm's time limit
    /// signal every process of the step at once, so the handler can die before the worker's signal handler has run;
    /// without the wait that race recorded a disruption as a counted handler failure (exit 143).
    /// </summary>
    public static readonly TimeSpan DisruptionGrace = TimeSpan.FromSeconds(3);

    /// <summary>util-linux setsid on the worker's PATH (or in /usr/bin, /bin); null where there is none: the handler then shares the worker's session.</summary>
    private static readonly string? Setsid = PrepareSessions();

    /// <summary>setsid, through which every handler starts as a session leader (stream mode too); null where there is none.</summary>
    internal static string? SessionLauncher => Setsid;

    public async Task<HandlerRun> RunAsync(
        HandlerSpec handler, IReadOnlyDictionary<string, string> environment, string workingDirectory,
        string inputPath, string outputPath, CancellationToken disruption, CancellationToken ct)
    {
        var stderr = new TailBuffer(options.StderrTailBytes);
        var clock = Stopwatch.StartNew();
        var stdio = handler.Mode == HandlerMode.Stdio;
        using var process = HandlerProcess.TryStart(handler, environment, workingDirectory, redirectStdin: stdio, stderr);
        if (process is null)
        {
            return new HandlerRun(HandlerEnd.FailedToStart, null, stderr.ToString(), clock.Elapsed);
        }

        using var pipes = new CancellationTokenSource();
        var stderrPump = PumpStderrAsync(process.StandardError.BaseStream, stderr, pipes.Token);
        Task stdoutPump;
        Task stdinPump = Task.CompletedTask;
        if (stdio)
        {
            stdoutPump = CopyToFileAsync(process.StandardOutput.BaseStream, outputPath, pipes.Token);
            stdinPump = FeedStdinAsync(inputPath, process.StandardInput.BaseStream, pipes.Token);
        }
        else
        {
            // File mode: stdout is the handler's log; keep its tail with stderr's rather than losing it.
            stdoutPump = PumpStderrAsync(process.StandardOutput.BaseStream, stderr, pipes.Token);
        }

        var leftovers = HandlerLeftovers.For(process.Id, environment);
        using var timeout = new CancellationTokenSource(handler.Timeout);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, disruption, ct);
        var end = HandlerEnd.Exited;
        try
        {
            await process.WaitForExitAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            end = disruption.IsCancellationRequested || ct.IsCancellationRequested ? HandlerEnd.Disrupted : HandlerEnd.TimedOut;
            await leftovers.StopAsync(options.KillGrace, alsoStop: process.Id).ConfigureAwait(false);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            stderr.AppendLine(end == HandlerEnd.TimedOut
                ? $"coordinator: handler ran past its timeout of {Coordinator.Model.Units.Duration.Format(handler.Timeout)} and was stopped (SIGTERM, then SIGKILL after {Coordinator.Model.Units.Duration.Format(options.KillGrace)})"
                : "coordinator: the worker was told to stop (SIGTERM from Slurm: time limit or preemption); handler stopped");
        }
        if (end == HandlerEnd.Exited && process.ExitCode == KilledBySigterm && await DisruptedWithinAsync(DisruptionGrace, disruption).ConfigureAwait(false))
        {
            end = HandlerEnd.Disrupted;
            stderr.AppendLine("coordinator: the handler was stopped by SIGTERM together with the worker (scancel, time limit or preemption)");
        }
        var left = await leftovers.StopAsync(options.KillGrace).ConfigureAwait(false);
        if (left.Count > 0)
        {
            stderr.AppendLine($"coordinator: the handler left {left.Count} process(es) running after it ended ({string.Join(", ", left.Take(5))}); stopped (SIGTERM, then SIGKILL after {Coordinator.Model.Units.Duration.Format(options.KillGrace)})");
        }
        if (!await DrainAsync(pipes, IgnoreBrokenPipe(stdinPump), stdoutPump, stderrPump).ConfigureAwait(false))
        {
            stderr.AppendLine($"coordinator: the handler's stdout/stderr were still open {Coordinator.Model.Units.Duration.Format(options.PipeDrainTimeout)} after it ended (held by a process that left its session and environment); stopped reading them");
        }
        return new HandlerRun(end, end == HandlerEnd.Exited ? process.ExitCode : null, stderr.ToString(), clock.Elapsed);
    }

    /// <summary>
    /// Waits for the pipe pumps for at most <see cref="WorkerOptions.PipeDrainTimeout"/>, then cancels them; false if
    /// they had to be cancelled. Everything the handler wrote before it ended has been read by then: a pump only waits
    /// when the pipe is empty and some process still holds its other end.
    /// </summary>
    private async Task<bool> DrainAsync(CancellationTokenSource pipes, params Task[] pumps)
    {
        var all = Task.WhenAll(pumps);
        try
        {
            await all.WaitAsync(options.PipeDrainTimeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            await pipes.CancelAsync().ConfigureAwait(false);
        }
        try
        {
            await all.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or IOException)
        {
            // Cancelled as asked; a read the runtime cannot cancel is abandoned.
        }
        return false;
    }

    /// <summary>
    /// Makes the worker the subreaper of its handlers' orphans, so they stay in its process tree where
    /// <see cref="HandlerLeftovers"/> looks (best effort: Linux only), and finds setsid.
    /// </summary>
    private static string? PrepareSessions()
    {
        Signals.BecomeSubreaper();
        return new[] { HandlerCommand.Resolve("setsid", Environment.GetEnvironmentVariable("PATH")), "/usr/bin/setsid", "/bin/setsid" }
            .FirstOrDefault(HandlerCommand.IsExecutable);
    }

    /// <summary>True if <paramref name="disruption"/> is or becomes cancelled within <paramref name="grace"/>.</summary>
    internal static async Task<bool> DisruptedWithinAsync(TimeSpan grace, CancellationToken disruption)
    {
        try
        {
            await Task.Delay(grace, disruption).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return true;
        }
        return disruption.IsCancellationRequested;
    }

    private static async Task FeedStdinAsync(string inputPath, Stream stdin, CancellationToken ct)
    {
        await using (stdin.ConfigureAwait(false))
        {
            var input = new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await using (input.ConfigureAwait(false))
            {
                await input.CopyToAsync(stdin, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A handler may exit without reading all of stdin; that is its business, judged by its exit code and output.</summary>
    private static async Task IgnoreBrokenPipe(Task pump)
    {
        try
        {
            await pump.ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
    }

    private static async Task CopyToFileAsync(Stream source, string path, CancellationToken ct)
    {
        var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using (output.ConfigureAwait(false))
        {
            await source.CopyToAsync(output, ct).ConfigureAwait(false);
        }
    }

    private static async Task PumpStderrAsync(Stream source, TailBuffer tail, CancellationToken ct)
    {
        var buffer = new byte[8192];
        int read;
        while ((read = await source.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            tail.Append(buffer.AsSpan(0, read));
        }
    }
}

