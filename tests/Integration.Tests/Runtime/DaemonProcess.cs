using System.Collections.Concurrent;
using System.Diagnostics;
using Coordinator.Integration.Tests.State;

namespace Coordinator.Integration.Tests.Runtime;

/// <summary>A real `coordinator daemon` process against a test backend's tables, with its output lines time-stamped.</summary>
internal sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;

    private DaemonProcess(Process process, string identity)
    {
        _process = process;
        Identity = identity;
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Identity { get; }
    public ConcurrentQueue<(DateTime At, string Line)> Lines { get; } = new();
    public bool HasExited => _process.HasExited;

    public static DaemonProcess Start(DynamoBackend backend, string identity)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "coordinator.dll"));
        start.ArgumentList.Add("daemon");
        start.ArgumentList.Add($"--Coordinator:JobsTable={backend.Options.JobsTable}");
        start.ArgumentList.Add($"--Coordinator:TasksTable={backend.Options.TasksTable}");
        start.ArgumentList.Add($"--Coordinator:LeasesTable={backend.Options.LeasesTable}");
        start.ArgumentList.Add($"--Daemon:LeaderElection:Identity={identity}");
        start.ArgumentList.Add("--Daemon:Telemetry:PrometheusEndpoint=");
        start.Environment["AWS_ENDPOINT_URL"] = backend.Endpoint;
        start.Environment["AWS_ACCESS_KEY_ID"] = "test";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment.Remove("AWS_ENDPOINT_URL_DYNAMODB");
        return new DaemonProcess(Process.Start(start)!, identity);
    }

    public DateTime? FirstLine(string contains) =>
        Lines.Where(l => l.Line.Contains(contains, StringComparison.Ordinal)).Select(l => (DateTime?)l.At).FirstOrDefault();

    public async Task<DateTime> WaitForLineAsync(string contains, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (FirstLine(contains) is { } at)
            {
                return at;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"daemon {Identity} did not log \"{contains}\" within {timeout}; output:\n{string.Join("\n", Lines.Select(l => l.Line))}");
    }

    /// <summary>SIGKILL: no release, no drain, as when a head node dies.</summary>
    public DateTime Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        return DateTime.UtcNow;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            Lines.Enqueue((DateTime.UtcNow, line));
        }
    }
}
