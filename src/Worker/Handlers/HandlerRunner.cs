using System.ComponentModel;
using System.Diagnostics;
using Coordinator.Model.Spec;

namespace Coordinator.Worker.Handlers;

/// <summary>
/// Runs the user's handler from its argv — never through a shell — with the minimal environment of
/// <see cref="HandlerEnvironment"/>. In stdio mode the batch streams in on stdin and stdout streams to the output
/// file, so neither is ever held in memory; stderr keeps only its tail. A timeout or a disruption sends SIGTERM,
/// waits the grace period, then kills the whole process tree.
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

    public async Task<HandlerRun> RunAsync(
        HandlerSpec handler, IReadOnlyDictionary<string, string> environment, string workingDirectory,
        string inputPath, string outputPath, CancellationToken disruption, CancellationToken ct)
    {
        var stderr = new TailBuffer(options.StderrTailBytes);
        var stdio = handler.Mode == HandlerMode.Stdio;
        var start = new ProcessStartInfo(HandlerCommand.Resolve(handler.Command[0], environment.GetValueOrDefault("PATH")))
        {
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = stdio,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in handler.Command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            stderr.AppendLine($"coordinator: cannot start handler \"{handler.Command[0]}\": {e.Message} (is it installed, and executable?)");
            return new HandlerRun(HandlerEnd.FailedToStart, null, stderr.ToString(), clock.Elapsed);
        }

        var stderrPump = PumpStderrAsync(process.StandardError.BaseStream, stderr);
        Task stdoutPump;
        Task stdinPump = Task.CompletedTask;
        if (stdio)
        {
            stdoutPump = CopyToFileAsync(process.StandardOutput.BaseStream, outputPath);
            stdinPump = FeedStdinAsync(inputPath, process.StandardInput.BaseStream);
        }
        else
        {
            // File mode: stdout is the handler's log; keep its tail with stderr's rather than losing it.
            stdoutPump = PumpStderrAsync(process.StandardOutput.BaseStream, stderr);
        }

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
            await StopAsync(process).ConfigureAwait(false);
            stderr.AppendLine(end == HandlerEnd.TimedOut
                ? $"coordinator: handler ran past its timeout of {Coordinator.Model.Units.Duration.Format(handler.Timeout)} and was stopped (SIGTERM, then SIGKILL after {Coordinator.Model.Units.Duration.Format(options.KillGrace)})"
                : "coordinator: the worker was told to stop (SIGTERM from Slurm: time limit or preemption); handler stopped");
        }
        if (end == HandlerEnd.Exited && process.ExitCode == KilledBySigterm && await DisruptedWithinAsync(DisruptionGrace, disruption).ConfigureAwait(false))
        {
            end = HandlerEnd.Disrupted;
            stderr.AppendLine("coordinator: the handler was stopped by SIGTERM together with the worker (scancel, time limit or preemption)");
        }
        await Task.WhenAll(IgnoreBrokenPipe(stdinPump), stdoutPump, stderrPump).ConfigureAwait(false);
        return new HandlerRun(end, end == HandlerEnd.Exited ? process.ExitCode : null, stderr.ToString(), clock.Elapsed);
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

    private async Task StopAsync(Process process)
    {
        if (Signals.Terminate(process.Id))
        {
            using var grace = new CancellationTokenSource(options.KillGrace);
            try
            {
                await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException)
            {
                // Ignored SIGTERM: fall through to SIGKILL.
            }
        }
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static async Task FeedStdinAsync(string inputPath, Stream stdin)
    {
        await using (stdin.ConfigureAwait(false))
        {
            var input = new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await using (input.ConfigureAwait(false))
            {
                await input.CopyToAsync(stdin).ConfigureAwait(false);
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

    private static async Task CopyToFileAsync(Stream source, string path)
    {
        var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using (output.ConfigureAwait(false))
        {
            await source.CopyToAsync(output).ConfigureAwait(false);
        }
    }

    private static async Task PumpStderrAsync(Stream source, TailBuffer tail)
    {
        var buffer = new byte[8192];
        int read;
        while ((read = await source.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            tail.Append(buffer.AsSpan(0, read));
        }
    }
}
