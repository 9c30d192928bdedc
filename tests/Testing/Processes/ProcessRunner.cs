using System.Diagnostics;

namespace Coordinator.Testing.Processes;

/// <summary>
/// Runs real programs (aws, sbatch, squeue, coordinator) the way a user would, with an argument list (never a shell)
/// and a timeout, so the smoke and end-to-end tests exercise exactly what the README tells users to run.
/// </summary>
public static class ProcessRunner
{
    /// <summary>
    /// Runs <paramref name="fileName"/> with stdin closed and both streams captured. <paramref name="environment"/>
    /// adds to the test process's environment; a null value removes the variable. Killed (whole tree) and a
    /// <see cref="TimeoutException"/> after <paramref name="timeout"/> (default 2 minutes).
    /// </summary>
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        SetEnvironment(info, environment);
        var display = fileName + " " + string.Join(' ', info.ArgumentList);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start `{display}`");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? TimeSpan.FromMinutes(2);
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{display}` did not finish within {limit.TotalSeconds:0} s");
        }
        return new ProcessResult(display, process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Adds <paramref name="environment"/> to a start info's environment; a null value removes the variable.</summary>
    public static void SetEnvironment(ProcessStartInfo info, IReadOnlyDictionary<string, string?>? environment)
    {
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }
    }
}
