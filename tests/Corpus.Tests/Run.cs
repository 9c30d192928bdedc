using System.Diagnostics;

namespace Coordinator.Corpus.Tests;

/// <summary>The outcome of one command.</summary>
public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
{
    public Result EnsureSuccess(string what) => ExitCode == 0
        ? this
        : throw new InvalidOperationException($"{what} exited {ExitCode}: {StandardError}{StandardOutput}");
}

/// <summary>Runs a program with an argv list and extra environment, capturing its output.</summary>
public static class Run
{
    public static async Task<Result> ExecAsync(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} ran longer than {timeout}");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
