using System.Collections.Concurrent;
using System.Diagnostics;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// One `coordinator daemon` process with its output lines time-stamped (kept in memory and appended to a log file,
/// so the security tests can scan everything any daemon ever printed). <see cref="KillHard"/> is kill -9: no drain,
/// no lease release, children (sbatch, squeue) left to finish on their own, as after a power cut of the process.
/// </summary>
internal sealed class DaemonHandle : IDisposable
{
    private static readonly Lock LogLock = new();
    private readonly Process _process;
    private readonly string _logFile;

    private DaemonHandle(Process process, string name, string logFile)
    {
        _process = process;
        _logFile = logFile;
        Name = name;
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }
    public int Pid => _process.Id;
    public ConcurrentQueue<(DateTime At, string Line)> Lines { get; } = new();
    public bool HasExited => _process.HasExited;

    public static DaemonHandle Start(string executable, string name, IReadOnlyDictionary<string, string?> environment, string logFile)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("daemon");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        return new DaemonHandle(Process.Start(start)!, name, logFile);
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
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"daemon {Name} exited ({_process.ExitCode}) before printing \"{contains}\":\n{Tail()}");
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"daemon {Name} did not print \"{contains}\" within {timeout}:\n{Tail()}");
    }

    /// <summary>SIGKILL; returns when the process is gone.</summary>
    /// <summary>kill -9, then waits until the process is gone; returns that moment (UTC), after which it can log nothing.</summary>
    public DateTime KillHard()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit();
        }
        return DateTime.UtcNow;
    }

    /// <summary>
    /// When the daemon itself stamped <paramref name="line"/> ("HH:mm:ss.fff …", UTC, on <paramref name="day"/>'s date),
    /// or null for a line without a stamp. The time a line was read from the pipe is later than that under load.
    /// </summary>
    public static DateTime? StampedAt(string line, DateTime day) =>
        line.Length >= 12 && TimeOnly.TryParseExact(line[..12], "HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out var time)
            ? DateTime.SpecifyKind(day.Date + time.ToTimeSpan(), DateTimeKind.Utc)
            : null;

    public string Tail(int lines = 60) => string.Join('\n', Lines.TakeLast(lines).Select(l => $"{l.At:HH:mm:ss.fff} {l.Line}"));

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }
        var now = DateTime.UtcNow;
        Lines.Enqueue((now, line));
        lock (LogLock)
        {
            File.AppendAllText(_logFile, $"{now:HH:mm:ss.fff} [{Name}] {line}\n");
        }
    }

    public void Dispose()
    {
        KillHard();
        _process.Dispose();
    }
}
