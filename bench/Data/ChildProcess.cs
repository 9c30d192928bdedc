using System.Diagnostics;
using System.Text.Json;

namespace Coordinator.Bench.Data;

/// <summary>Runs this benchmark binary (or any command) as a child process and captures its JSON result.</summary>
internal static class ChildProcess
{
    /// <summary>Run "partition" in a fresh process; returns its JSON figures and the wall time seen from outside.</summary>
    public static (JsonElement Result, double WallSeconds) Partition(params string[] args)
    {
        var self = typeof(ChildProcess).Assembly.Location;
        var host = Environment.ProcessPath!;
        var argv = new List<string>();
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            argv.Add(self);
        argv.Add("partition");
        argv.AddRange(args);
        var (output, seconds) = Run(host, argv);
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        return (JsonDocument.Parse(last).RootElement.Clone(), seconds);
    }

    /// <summary>Run a command to completion; throws with its stderr when it fails.</summary>
    public static (string Stdout, double Seconds) Run(string file, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        watch.Stop();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {stderr.Result}");
        return (stdout.Result, watch.Elapsed.TotalSeconds);
    }
}
