using System.Text;
using System.Text.Json;
using Coordinator.Model.Spec;
using Coordinator.Testing;
using Coordinator.Testing.Handlers;
using Coordinator.Worker;
using Coordinator.Worker.Handlers;

namespace Coordinator.Controllers.Tests.Worker;

/// <summary>One stream-mode session against real python3 handler processes: reuse, crash, timeout, broken framing, stderr per batch.</summary>
public sealed class StreamHandlerSessionTests : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("coord-stream-").FullName;
    private readonly WorkerOptions _options = new() { KillGrace = TimeSpan.FromMilliseconds(300), PipeDrainTimeout = TimeSpan.FromSeconds(2) };
    private StreamHandlerSession? _session;

    public async ValueTask DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }
        Directory.Delete(_root, recursive: true);
    }

    private StreamHandlerSession Session(string misbehave = "", int onBatch = -1, TimeSpan? timeout = null, params string[] command)
    {
        var handler = new HandlerSpec
        {
            Command = command.Length > 0 ? [.. command] : ["python3", "-c", StreamHandlerScripts.Misbehaving],
            Mode = HandlerMode.Stream,
            Timeout = timeout ?? TimeSpan.FromSeconds(20),
            Env = { ["MISBEHAVE"] = misbehave, ["ON_BATCH"] = onBatch.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };
        return _session = new StreamHandlerSession(handler, "streamjob", _options, _root);
    }

    private async Task<(HandlerRun Run, string Output)> Batch(StreamHandlerSession session, int batch, int attempt = 1, CancellationToken disruption = default)
    {
        var input = Path.Combine(_root, $"in-{batch}-{attempt}.jsonl");
        var output = Path.Combine(_root, $"out-{batch}-{attempt}.jsonl");
        var text = string.Concat(Enumerable.Range(0, 3).Select(r => $"{{\"batch\":{batch},\"record\":{r}}}\n"));
        await File.WriteAllTextAsync(input, text, CancellationToken.None);
        var run = await session.RunBatchAsync(new StreamRequest(batch, attempt, 3, Encoding.UTF8.GetByteCount(text)), input, output, disruption, default);
        return (run, File.Exists(output) ? await File.ReadAllTextAsync(output, CancellationToken.None) : "");
    }

    private static int Pid(string output)
    {
        using var first = JsonDocument.Parse(output.Split('\n')[0]);
        return first.RootElement.GetProperty("pid").GetInt32();
    }

    [Fact]
    public async Task ManyBatches_AreServedByOneProcess_EachWithItsOwnStderrTail()
    {
        var session = Session();
        var pids = new HashSet<int>();
        for (var batch = 0; batch < 5; batch++)
        {
            var (run, output) = await Batch(session, batch);
            Assert.Equal((HandlerEnd.Exited, 0), (run.End, run.ExitCode));
            Assert.Equal(3, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            Assert.Contains($"\"batch\": {batch}", output, StringComparison.Ordinal);
            Assert.Contains($"batch {batch} attempt 1", run.StderrTail, StringComparison.Ordinal);
            Assert.DoesNotContain($"batch {batch - 1} attempt", run.StderrTail, StringComparison.Ordinal);
            pids.Add(Pid(output));
        }
        Assert.Single(pids);
        Assert.Equal(1, session.Starts);
    }

    [Fact]
    public async Task ShippedExample_UpperCasesAndIsReused()
    {
        var session = Session(command: ["python3", RepoFiles.Path("examples", "stream", "handler.py")]);
        var (first, output) = await Batch(session, 0);
        Assert.Equal((HandlerEnd.Exited, 0), (first.End, first.ExitCode));
        Assert.Contains("model loaded", first.StderrTail, StringComparison.Ordinal);
        Assert.Equal("{\"batch\":0,\"record\":0}", output.Split('\n')[0]);
        var (second, _) = await Batch(session, 1);
        Assert.Equal(0, second.ExitCode);
        Assert.DoesNotContain("model loaded", second.StderrTail, StringComparison.Ordinal);
        Assert.Equal(1, session.Starts);
    }

    [Fact]
    public async Task CrashMidBatch_FailsThatBatchWithItsExitCodeAndStderr_AndTheNextBatchGetsANewProcess()
    {
        var session = Session("crash", onBatch: 1);
        var (zero, before) = await Batch(session, 0);
        Assert.Equal(0, zero.ExitCode);
        var (crashed, _) = await Batch(session, 1);
        Assert.Equal((HandlerEnd.Exited, 7), (crashed.End, crashed.ExitCode));
        Assert.Contains("dying in batch 1", crashed.StderrTail, StringComparison.Ordinal);
        Assert.Contains("exited with code 7 in the middle of batch 1", crashed.StderrTail, StringComparison.Ordinal);
        var (retry, after) = await Batch(session, 1, attempt: 2);
        Assert.Equal((HandlerEnd.Exited, 0), (retry.End, retry.ExitCode));
        Assert.NotEqual(Pid(before), Pid(after));
        Assert.Equal(2, session.Starts);
    }

    [Fact]
    public async Task Timeout_StopsTheHandler_FailsThatBatch_AndTheNextBatchRuns()
    {
        var session = Session("hang", onBatch: 0, timeout: TimeSpan.FromSeconds(1));
        var (hung, _) = await Batch(session, 0);
        Assert.Equal(HandlerEnd.TimedOut, hung.End);
        Assert.Contains("batch 0 ran past the handler's timeout of 1s", hung.StderrTail, StringComparison.Ordinal);
        Assert.Null(session.ProcessId);
        var (next, output) = await Batch(session, 1);
        Assert.Equal((HandlerEnd.Exited, 0), (next.End, next.ExitCode));
        Assert.Contains("\"batch\": 1", output, StringComparison.Ordinal);
        Assert.Equal(2, session.Starts);
    }

    [Fact]
    public async Task BrokenFraming_IsABadHandlerNamingTheBatch_AndTheHandlerIsReplaced()
    {
        var session = Session("garble", onBatch: 0);
        var (garbled, _) = await Batch(session, 0);
        Assert.Equal(HandlerEnd.Broken, garbled.End);
        Assert.Contains("broke the framing on batch 0", garbled.Problem, StringComparison.Ordinal);
        Assert.Contains("answers batch 1000 attempt 1", garbled.Problem, StringComparison.Ordinal);
        var (next, _) = await Batch(session, 0, attempt: 2);
        Assert.Equal(0, next.ExitCode);
        Assert.Equal(2, session.Starts);
    }

    [Fact]
    public async Task Disruption_StopsTheHandler_AsADisruption()
    {
        var session = Session("hang", onBatch: 0);
        using var sigterm = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var (run, _) = await Batch(session, 0, disruption: sigterm.Token);
        Assert.Equal(HandlerEnd.Disrupted, run.End);
        Assert.Null(session.ProcessId);
    }

    [Fact]
    public async Task MissingProgram_FailsToStart_SayingWhich()
    {
        var session = Session(command: ["/nonexistent/handler"]);
        var (run, _) = await Batch(session, 0);
        Assert.Equal(HandlerEnd.FailedToStart, run.End);
        Assert.Contains("cannot start handler \"/nonexistent/handler\": no such file", run.StderrTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_ClosesStdin_AndTheHandlerExits()
    {
        var session = Session();
        await Batch(session, 0);
        var pid = session.ProcessId!.Value;
        await session.DisposeAsync();
        _session = null;
        Assert.False(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(" Z ", StringComparison.Ordinal));
    }
}
