using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Coordinator.Testing.Processes;

/// <summary>
/// One long-running process (a `coordinator daemon`) with its output lines time-stamped as they are read, kept in
/// memory and, with a log file, appended to it (so a test can scan everything any daemon ever printed).
/// <see cref="Kill"/> is kill -9: no drain, no lease release, as after a power cut; with <c>killEntireTree</c> false
/// the children (sbatch, squeue) are left to finish on their own.
/// </summary>
public sealed class DaemonHandle : IDisposable
{
    private static readonly Lock LogLock = new();
    private readonly Process _process;
    private readonly string? _logFile;
    private readonly bool _killEntireTree;

    private DaemonHandle(Process process, string name, string? logFile, bool killEntireTree)
    {
        _process = process;
        _logFile = logFile;
        _killEntireTree = killEntireTree;
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

    /// <summary>The exit code once the process has exited, else null.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Everything printed so far (stdout and stderr interleaved as read), one line per line.</summary>
    public string Output => string.Concat(Lines.Select(l => l.Line + "\n"));

    /// <summary>
    /// Starts <paramref name="program"/> with the test process's environment plus <paramref name="environment"/> (a
    /// null value removes a variable).
    /// </summary>
    public static DaemonHandle Start(string name, string program, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null, string? logFile = null, bool killEntireTree = true)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        ProcessRunner.SetEnvironment(start, environment);
        return new DaemonHandle(Process.Start(start)!, name, logFile, killEntireTree);
    }

    public DateTime? FirstLine(string contains) =>
        Lines.Where(l => l.Line.Contains(contains, StringComparison.Ordinal)).Select(l => (DateTime?)l.At).FirstOrDefault();

    /// <summary>When the first line containing <paramref name="contains"/> was read; throws if the process exits first or on timeout.</summary>
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

    /// <summary>kill -9, then waits until the process is gone; returns that moment (UTC), after which it can log nothing.</summary>
    public DateTime Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(_killEntireTree);
            _process.WaitForExit();
        }
        return DateTime.UtcNow;
    }

    /// <summary>
    /// When the daemon itself stamped <paramref name="line"/> ("HH:mm:ss.fff …", UTC, on <paramref name="day"/>'s date),
    /// or null for a line without a stamp. The time a line was read from the pipe is later than that under load.
    /// </summary>
    public static DateTime? StampedAt(string line, DateTime day) =>
        line.Length >= 12 && TimeOnly.TryParseExact(line[..12], "HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
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
        if (_logFile is not null)
        {
            lock (LogLock)
            {
                File.AppendAllText(_logFile, $"{now:HH:mm:ss.fff} [{Name}] {line}\n");
            }
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
