using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Coordinator.Testing;
using Coordinator.Testing.Processes;
using Coordinator.Testing.Stack;

namespace Coordinator.EndToEnd.Tests;

/// <summary>
/// Debian's Prometheus server, run as a child process with a temporary config and TSDB directory on a free loopback
/// port, scraping one target every second. The binary comes from localstack/lib/prometheus-install (installs the
/// Debian package when missing, without letting its service start). Killed and its directory removed on dispose.
/// </summary>
public sealed class DashboardPrometheus : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _directory;

    private DashboardPrometheus(Process process, string directory, Uri address)
    {
        _process = process;
        _directory = directory;
        Address = address;
    }

    public Uri Address { get; }
    public string Log { get { lock (_log) { return _log.ToString(); } } }

    /// <summary>The binary's path, or why it cannot be had (not root and not installed, no apt...).</summary>
    public static async Task<(string? Path, string? Problem)> FindAsync()
    {
        var script = RepoFiles.FindUp(Path.Combine("localstack", "lib", "prometheus-install"));
        if (script is null)
        {
            return (null, "localstack/lib/prometheus-install not found above the test directory");
        }
        var result = await ProcessRunner.RunAsync(script, [], new Dictionary<string, string?>(), TimeSpan.FromMinutes(5));
        return result.ExitCode == 0
            ? (result.StandardOutput.Trim(), null)
            : (null, $"prometheus-install exited {result.ExitCode}: {result.StandardError.Trim()}");
    }

    public static async Task<DashboardPrometheus> StartAsync(string binary, string scrapeTarget)
    {
        var directory = Directory.CreateTempSubdirectory("coord-prom-").FullName;
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: coordinator
                static_configs:
                  - targets: ["{scrapeTarget}"]
            """);
        var port = CoordinatorStack.FreePort();
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[
            $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}",
            $"--web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--storage.tsdb.retention.time=1h"])
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start)!;
        var server = new DashboardPrometheus(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitReadyAsync();
        return server;
    }

    /// <summary>GET /api/v1/query_range: the result array (one element per series), throwing on an error status.</summary>
    public async Task<JsonElement> QueryRangeAsync(string expr, DateTimeOffset start, DateTimeOffset end)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(20) };
        var url = $"api/v1/query_range?query={Uri.EscapeDataString(expr)}&start={Unix(start)}&end={Unix(end)}&step=1";
        using var response = await http.GetAsync(new Uri(url, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"Prometheus rejected {expr}: {body}");
        }
        return root.GetProperty("data").GetProperty("result").Clone();
    }

    /// <summary>The scrape target's health as Prometheus reports it ("up", "down", "unknown").</summary>
    public async Task<string> TargetHealthAsync()
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(10) };
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/v1/targets", UriKind.Relative)));
        var active = document.RootElement.GetProperty("data").GetProperty("activeTargets");
        return active.GetArrayLength() == 0 ? "none" : active[0].GetProperty("health").GetString()!;
    }

    private async Task WaitReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited {_process.ExitCode}:\n{Log}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri("-/ready", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"prometheus not ready at {Address} after 30 s:\n{Log}");
    }

    private void Append(string? line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private static string Unix(DateTimeOffset time) => (time.ToUnixTimeMilliseconds() / 1000.0).ToString("F3", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
