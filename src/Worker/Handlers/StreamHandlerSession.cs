using System.Diagnostics;
using Coordinator.Model.Spec;

namespace Coordinator.Worker.Handlers;

/// <summary>
/// One persistent stream-mode handler (spec.handler.mode: stream) of one worker slot: the handler process is started
/// once, on the first batch, and fed batch after batch through <see cref="StreamFraming"/> on stdin/stdout, so a model
/// or a library is loaded once per slot, not once per batch. Each batch has the handler's per-batch timeout and its
/// own stderr tail. A handler that times out, crashes mid-batch or breaks the framing fails that batch's attempt and is
/// stopped (SIGTERM, SIGKILL after the grace period, with whatever it left running in its session); the next batch
/// starts a fresh one. One batch at a time: <see cref="StreamSessionPool"/> rents a session to one attempt.
/// </summary>
public sealed class StreamHandlerSession(HandlerSpec handler, string job, WorkerOptions options, string workingDirectory,
    IReadOnlyDictionary<string, string>? formats = null) : IAsyncDisposable
{
    /// <summary>
    /// What a stream handler is told of the job's formats, constant for its session (docs/runtime.md, "Stream mode"):
    /// COORDINATOR_INPUT_FORMAT and COORDINATOR_OUTPUT_FORMAT (jsonl, csv or parquet: the batch's bytes and the result
    /// it must answer with), and for a CSV input COORDINATOR_CSV_DELIMITER and COORDINATOR_CSV_HEADER (true or false).
    /// </summary>
    public static Dictionary<string, string> FormatsOf(JobSpec spec)
    {
        var formats = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["COORDINATOR_INPUT_FORMAT"] = spec.Input.Format.ToString().ToLowerInvariant(),
            ["COORDINATOR_OUTPUT_FORMAT"] = ResultFormat.Of(spec).ToString().ToLowerInvariant(),
        };
        if (spec.Input.Format == InputFormat.Csv)
        {
            formats["COORDINATOR_CSV_DELIMITER"] = spec.Input.Csv.Delimiter;
            formats["COORDINATOR_CSV_HEADER"] = spec.Input.Csv.Header ? "true" : "false";
        }
        return formats;
    }

    /// <summary>Exit status of a process killed by SIGTERM, as .NET reports it (128 + signal 15).</summary>
    private const int KilledBySigterm = 128 + 15;

    private Process? _process;
    private StreamFrameReader? _reader;
    private Task _stderrPump = Task.CompletedTask;
    private HandlerLeftovers? _leftovers;
    private TailBuffer _tail = new(0);

    /// <summary>How many times the handler process was started (1 while it never had to be restarted).</summary>
    public int Starts { get; private set; }

    /// <summary>The handler's pid while one runs (tests use it to see it is the same process across batches).</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>
    /// Runs one batch: <paramref name="inputPath"/>'s bytes go to the handler under <paramref name="request"/>'s
    /// header, its result bytes to <paramref name="outputPath"/>. Never throws for the handler's fault: the run says
    /// how it ended (a reported failure is exit code 1; a broken framing is <see cref="HandlerEnd.Broken"/>).
    /// </summary>
    public async Task<HandlerRun> RunBatchAsync(StreamRequest request, string inputPath, string outputPath, CancellationToken disruption, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var tail = new TailBuffer(options.StderrTailBytes);
        Volatile.Write(ref _tail, tail);
        if (_process is { HasExited: true } gone)
        {
            tail.AppendLine($"coordinator: the stream handler had exited (code {gone.ExitCode}) after its last batch; started a new one");
            await StopAsync().ConfigureAwait(false);
        }
        if (_process is null && StartProcess(tail) is { } failure)
        {
            return new HandlerRun(HandlerEnd.FailedToStart, null, failure, clock.Elapsed);
        }
        var process = _process!;

        using var abandon = new CancellationTokenSource();
        var exchange = ExchangeAsync(process, request, inputPath, outputPath, abandon.Token);
        using var timeout = new CancellationTokenSource(handler.Timeout);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, disruption, ct);
        var stopped = Task.Delay(Timeout.Infinite, stop.Token);
        if (await Task.WhenAny(exchange, stopped).ConfigureAwait(false) != exchange)
        {
            var end = disruption.IsCancellationRequested || ct.IsCancellationRequested ? HandlerEnd.Disrupted : HandlerEnd.TimedOut;
            await StopAsync().ConfigureAwait(false);
            await abandon.CancelAsync().ConfigureAwait(false);
            await Observe(exchange).ConfigureAwait(false);
            tail.AppendLine(end == HandlerEnd.TimedOut
                ? $"coordinator: batch {request.Batch} ran past the handler's timeout of {Coordinator.Model.Units.Duration.Format(handler.Timeout)}; the stream handler was stopped (SIGTERM, then SIGKILL after {Coordinator.Model.Units.Duration.Format(options.KillGrace)}) and is restarted for the next batch"
                : "coordinator: the worker was told to stop (SIGTERM from Slurm: time limit or preemption); stream handler stopped");
            return new HandlerRun(end, null, tail.ToString(), clock.Elapsed);
        }
        try
        {
            var response = await exchange.ConfigureAwait(false);
            if (response.Ok)
            {
                return new HandlerRun(HandlerEnd.Exited, 0, tail.ToString(), clock.Elapsed);
            }
            tail.AppendLine($"coordinator: the stream handler reported batch {request.Batch} failed: {response.Message ?? "(no message)"}");
            return new HandlerRun(HandlerEnd.Exited, 1, tail.ToString(), clock.Elapsed);
        }
        catch (Exception e) when (e is StreamProtocolException or IOException)
        {
            return await EndBrokenAsync(process, request, e, tail, clock, disruption).ConfigureAwait(false);
        }
    }

    /// <summary>The exchange failed: the handler died mid-batch (its exit code decides) or broke the framing while alive.</summary>
    private async Task<HandlerRun> EndBrokenAsync(Process process, StreamRequest request, Exception e, TailBuffer tail, Stopwatch clock, CancellationToken disruption)
    {
        try
        {
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Still alive: it broke the framing; it is stopped below.
        }
        int? exit = process.HasExited ? process.ExitCode : null;
        if (exit is not null)
        {
            // Let the stderr pump take what the handler wrote before it died, so the tail shows why.
            await Observe(_stderrPump.WaitAsync(options.PipeDrainTimeout, CancellationToken.None)).ConfigureAwait(false);
        }
        await StopAsync().ConfigureAwait(false);
        if (exit == KilledBySigterm && await HandlerRunner.DisruptedWithinAsync(HandlerRunner.DisruptionGrace, disruption).ConfigureAwait(false))
        {
            tail.AppendLine("coordinator: the stream handler was stopped by SIGTERM together with the worker (scancel, time limit or preemption)");
            return new HandlerRun(HandlerEnd.Disrupted, null, tail.ToString(), clock.Elapsed);
        }
        if (exit is { } code and not 0)
        {
            tail.AppendLine($"coordinator: the stream handler exited with code {code} in the middle of batch {request.Batch}; it is restarted for the next batch");
            return new HandlerRun(HandlerEnd.Exited, code, tail.ToString(), clock.Elapsed);
        }
        var problem = exit is null
            ? $"stream handler broke the framing on batch {request.Batch}: {e.Message}"
            : $"stream handler exited with code 0 in the middle of batch {request.Batch}: {e.Message}";
        tail.AppendLine("coordinator: " + problem + "; it was stopped and is restarted for the next batch");
        return new HandlerRun(HandlerEnd.Broken, exit, tail.ToString(), clock.Elapsed) { Problem = problem };
    }

    private async Task<StreamResponse> ExchangeAsync(Process process, StreamRequest request, string inputPath, string outputPath, CancellationToken ct)
    {
        var write = WriteAsync(process.StandardInput.BaseStream, request, inputPath, ct);
        var output = new FileStream(outputPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        StreamResponse response;
        await using (output.ConfigureAwait(false))
        {
            try
            {
                response = await _reader!.ReadResponseAsync(request, output, ct).ConfigureAwait(false);
            }
            catch
            {
                await Observe(write).ConfigureAwait(false);
                throw;
            }
        }
        // An answer before the whole batch was read leaves the rest in the pipe, in front of the next header.
        await write.ConfigureAwait(false);
        return response;
    }

    private static async Task WriteAsync(Stream stdin, StreamRequest request, string inputPath, CancellationToken ct)
    {
        var input = new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await using (input.ConfigureAwait(false))
        {
            await StreamFraming.WriteRequestAsync(stdin, request, input, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Starts the handler; null on success, else the stderr tail saying why it could not start.</summary>
    private string? StartProcess(TailBuffer tail)
    {
        var environment = HandlerEnvironment.Build(handler, job, 0, 0, workingDirectory, null, null, HandlerEnvironment.Worker());
        // One process serves many batches: the batch, the attempt and the rejects file are in each header, not in the environment.
        environment.Remove("COORDINATOR_BATCH");
        environment.Remove("COORDINATOR_ATTEMPT");
        environment.Remove("COORDINATOR_REJECTS");
        environment["COORDINATOR_HANDLER_MODE"] = "stream";
        foreach (var (name, value) in formats ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }
        if (HandlerProcess.TryStart(handler, environment, workingDirectory, redirectStdin: true, tail) is not { } process)
        {
            return tail.ToString();
        }
        Starts++;
        _process = process;
        _reader = new StreamFrameReader(process.StandardOutput.BaseStream);
        // The session is the handler's own (setsid): the other slots' handlers have sessions of their own.
        _leftovers = HandlerLeftovers.For(process.Id, new Dictionary<string, string>());
        _stderrPump = PumpStderrAsync(process.StandardError.BaseStream);
        return null;
    }

    /// <summary>Stderr goes to the tail of the batch running now (between batches, to the next batch's).</summary>
    private async Task PumpStderrAsync(Stream source)
    {
        var buffer = new byte[8192];
        int read;
        while ((read = await source.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            Volatile.Read(ref _tail).Append(buffer.AsSpan(0, read));
        }
    }

    /// <summary>Stops the handler and whatever it left in its session (SIGTERM, SIGKILL after the grace period).</summary>
    private async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }
        _process = null;
        try
        {
            await _leftovers!.StopAsync(options.KillGrace, alsoStop: process.HasExited ? null : process.Id).ConfigureAwait(false);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(options.KillGrace + TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            // Gone or unkillable (D state): Slurm's process tracking ends it with the step.
        }
        await Observe(_stderrPump.WaitAsync(options.PipeDrainTimeout, CancellationToken.None)).ConfigureAwait(false);
        process.Dispose();
    }

    /// <summary>
    /// Ends the session: closes the handler's stdin (its signal that no batch is left), gives it the grace period to
    /// exit by itself, then stops it and what it left running.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            try
            {
                process.StandardInput.Close();
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(options.KillGrace).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException)
            {
                // It did not exit by itself: stopped below.
            }
            await StopAsync().ConfigureAwait(false);
        }
    }

    private static async Task Observe(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or StreamProtocolException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            // The exchange was abandoned or the handler is gone; what it means was decided by the caller.
        }
    }
}
